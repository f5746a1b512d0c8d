"""What a backbone really outputs on the montage canvas: channels and map size of its deepest output.

The dense head needs the deepest feature map to tile the template exactly (7 x 7 for the paper's
224 canvas at stride 32), and its ``in_channels`` to be that map's channels. Both are read from one
forward pass of a zero canvas, so every backbone (mmdet, timm, torchvision, attention or not) is
checked the same way, whatever its config says about strides.
"""
from typing import Dict, Optional, Tuple

import torch
from torch import nn

from mmjigsaw.errors import ConfigError
from mmjigsaw.structures import MontageTemplate
from .utils import deepest_feature, eval_mode


def backbone_name(cfg: Optional[Dict]) -> str:
    """A short name for error messages: ``mmdet.HRNet``, ``TimmBackbone(convnext_atto)``, ..."""
    if not isinstance(cfg, dict):
        return type(cfg).__name__
    name = str(cfg.get('type', '?'))
    inner = cfg.get('model_name', cfg.get('name'))
    arch = cfg.get('arch', cfg.get('depth'))
    if inner is not None:
        return f'{name}({inner})'
    return f'{name}({arch})' if arch is not None else name


@torch.no_grad()
def probe_backbone(backbone: nn.Module, canvas: int) -> Tuple[int, Tuple[int, int]]:
    """Channels and (H, W) of the deepest output for one ``canvas`` x ``canvas`` zero image.

    The modules run in eval mode (BN uses its running statistics and moves nothing) and get their
    modes back afterwards; the input lives on the backbone's device.

    Returns:
        ``(channels, (h, w))`` of the last (N, C, H, W) output.
    """
    param = next(backbone.parameters(), None)
    device = param.device if param is not None else torch.device('cpu')
    with eval_mode(backbone):
        feat = deepest_feature(backbone(torch.zeros(1, 3, canvas, canvas, device=device)))
    return int(feat.shape[1]), (int(feat.shape[2]), int(feat.shape[3]))


def fit_head_to_backbone(head_cfg: Dict, backbone: nn.Module, backbone_cfg=None) -> Dict:
    """The head config with ``in_channels`` taken from the backbone where not given, after checking
    that the backbone's real deepest map tiles the head's template.

    A backbone that does not fit is refused with one line (a :class:`ConfigError`) naming it, its
    output for the canvas and what the template needs.

    Args:
        head_cfg: the head's config (``template``, ``stride``, optional ``in_channels``).
        backbone: the built backbone.
        backbone_cfg: its config, for the name in messages.
    Returns:
        A copy of ``head_cfg`` with ``in_channels`` set.
    """
    head_cfg = dict(head_cfg)
    template = MontageTemplate(**(head_cfg.get('template') or {}))
    stride = head_cfg.get('stride', 32)
    need = template.feature_shape(stride)
    name = backbone_name(backbone_cfg if backbone_cfg is not None else backbone)
    try:
        channels, hw = probe_backbone(backbone, template.canvas)
    except Exception as err:  # any failure of the dummy forward is a config problem of the backbone
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ConfigError(f'backbone {name} fails on a {template.canvas}x{template.canvas} canvas '
                          f'({type(err).__name__}: {first_line}); the head needs a {need[0]}x{need[1]} '
                          f'deepest map (stride {stride}).') from err
    if hw != need:
        real_stride = f'stride {template.canvas / hw[0]:g}' if hw[0] else 'empty map'
        raise ConfigError(f'backbone {name} gives a {channels}x{hw[0]}x{hw[1]} deepest map ({real_stride}) for '
                          f'a {template.canvas}x{template.canvas} canvas; the template canvas={template.canvas}, '
                          f'cut={template.cut} needs {need[0]}x{need[1]} (stride {stride}): choose out_indices '
                          f'whose last output has stride {stride}.')
    given = head_cfg.get('in_channels')
    if given is None:
        head_cfg['in_channels'] = channels
    elif given != channels:
        raise ConfigError(f'head in_channels={given}, but backbone {name} outputs {channels} channels at its '
                          f'deepest map; set in_channels={channels} or leave it out (inferred).')
    return head_cfg
