"""Turning a pre-training checkpoint into a tensor-only backbone checkpoint for a detector."""
from collections import OrderedDict
from typing import Dict, List, NamedTuple, Optional, Tuple

import torch

from mmjigsaw.engine import describe_misfit, load_checkpoint_safely, state_dict_fit, state_dict_of
from mmjigsaw.errors import ConfigError, DataError

BACKBONE_PREFIX = 'backbone.'
#: mmdet's SwinTransformer.init_weights keeps only ``backbone.*`` keys of a Pretrained checkpoint
#: (and strips that prefix), unlike mmengine's generic loader, which takes the backbone's own names
SWIN_KEY = 'w_msa.relative_position_bias_table'
#: the layouts export_backbone writes
EXPORT_LAYOUTS = ('mmdet', 'torchvision', 'timm')


class ExportResult(NamedTuple):
    """What :func:`export_backbone` wrote."""
    count: int                   # tensors written
    layout: str                  # 'mmdet' or 'torchvision'
    note: str                    # how the file loads
    dropped: List[str]           # backbone keys that the detector's backbone does not have


def extract_backbone_state(checkpoint: Dict) -> 'OrderedDict[str, torch.Tensor]':
    """The ``backbone.*`` tensors of a runner checkpoint (or a bare state dict), prefix removed: the
    key names of the same backbone in a detector (mmdet ResNet ``conv1.weight``,
    ``layer1.0.bn1.running_mean``; mmdet MobileNetV2 ``conv1.conv.weight``,
    ``layer7.0.linear_conv.bn.running_var``, ``conv2.bn.weight``; ...). The keys do not depend on
    ``out_indices`` for most backbones, so a backbone pre-trained with only its deepest output loads
    into the detector's multi-level one (Swin's output norms are the exception: see
    :func:`fit_to_backbone`)."""
    state = state_dict_of(checkpoint)
    backbone = OrderedDict((k[len(BACKBONE_PREFIX):], v.detach().cpu().clone())
                           for k, v in state.items() if k.startswith(BACKBONE_PREFIX))
    if not backbone:
        raise DataError(f'no "{BACKBONE_PREFIX}*" weights in the checkpoint (keys start with '
                        f'{sorted({k.split(".")[0] for k in state})}); is it a JigsawClassifier checkpoint?')
    return backbone


def needs_backbone_prefix(state: Dict[str, torch.Tensor]) -> bool:
    """Whether the backbone is mmdet's Swin, whose own ``init_weights`` reads ``backbone.*`` keys."""
    return any(SWIN_KEY in k for k in state)


def detector_backbone_state(config: str) -> 'OrderedDict[str, torch.Tensor]':
    """The state dict of a freshly built ``model.backbone`` of a detector config (mmdet scope,
    ``custom_imports`` honoured); its init_cfg is not run."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmdet.utils import register_all_modules as register_mmdet
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    register_mmdet(init_default_scope=False)
    cfg = Config.fromfile(config)
    backbone_cfg = cfg.model.get('backbone')
    if backbone_cfg is None:
        raise ConfigError(f'{config}: no model.backbone to export for.')
    backbone_cfg = dict(backbone_cfg, init_cfg=None)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope', 'mmdet')):
        return MMDET_MODELS.build(backbone_cfg).state_dict()


def fit_to_backbone(state: Dict[str, torch.Tensor], reference: Dict[str, torch.Tensor],
                    what: str) -> Tuple['OrderedDict[str, torch.Tensor]', List[str]]:
    """Keep exactly the keys of ``reference`` (a detector's backbone), in its order.

    Every reference key must be in ``state`` with the same shape (a :class:`DataError` names the
    missing and mismatched ones); keys only in ``state`` are dropped and returned, e.g. the output
    norm ``norm0`` of a Swin pre-trained with four outputs, for a detector that takes three.
    """
    fit = state_dict_fit(state, reference)
    misfit = describe_misfit(fit, ('missing', 'shape'))
    if misfit:
        raise DataError(f'the pre-trained backbone does not fit {what}: {misfit}. Pre-train the '
                        'architecture the detector uses (same widths, depths and output norms).')
    return OrderedDict((k, state[k]) for k in reference), fit['unexpected']


def export_backbone(src: str, dst: str, to: str = 'mmdet', detector: Optional[str] = None) -> ExportResult:
    """Write the backbone of ``src`` to ``dst`` as a plain dict of tensors.

    Args:
        src: pre-training checkpoint (runner checkpoint or state dict), read with ``weights_only=True``.
        dst: output path.
        to: ``'mmdet'``: the backbone's own key names, as the detector's backbone has them;
            ``'torchvision'``: a ResNet or MobileNetV2 (mmdet's, or a TorchvisionBackbone) in
            torchvision's layout with the montage head as its classifier (see
            :mod:`mmjigsaw.converters.torchvision_layout`); ``'timm'``: a TimmBackbone's model in
            timm's layout, for ``timm.create_model(name, num_classes=0)``.
        detector: a detector config (``to='mmdet'`` only): write exactly the keys of its backbone,
            checked key by key and shape by shape, dropping pre-training-only keys.
    Returns:
        An :class:`ExportResult`.
    """
    if to not in EXPORT_LAYOUTS:
        raise ConfigError(f'--to {to}: choose one of {", ".join(EXPORT_LAYOUTS)}.')
    checkpoint = load_checkpoint_safely(src)
    state = extract_backbone_state(checkpoint)
    dropped: List[str] = []
    if to != 'mmdet' and detector:
        raise ConfigError(f'--detector applies to the mmdet layout, not --to {to}.')
    if to == 'torchvision':
        from mmjigsaw.converters.torchvision_layout import describe, head_as_classifier, to_torchvision_layout
        state, arch = to_torchvision_layout(state, head_as_classifier(state_dict_of(checkpoint)))
        note = describe(arch, state)
    elif to == 'timm':
        from mmjigsaw.converters.torchvision_layout import unwrap
        state = unwrap(state)
        note = "timm's layout: loads strict=True into timm.create_model(model_name, num_classes=0)"
    elif detector:
        state, dropped = fit_to_backbone(state, detector_backbone_state(detector), f"{detector}'s backbone")
        note = f"exactly the keys of {detector}'s backbone: loads strict=True there and through its init_cfg"
    else:
        note = "the backbone's mmdet key names: loads through a detector's init_cfg=dict(type='Pretrained')"
    if to == 'mmdet' and needs_backbone_prefix(state):
        state = OrderedDict((BACKBONE_PREFIX + k, v) for k, v in state.items())
        note += ("; keys written as 'backbone.*' because mmdet's SwinTransformer loads only those "
                 '(set convert_weights=False in the detector)')
    torch.save(state, dst)
    return ExportResult(len(state), to, note, dropped)
