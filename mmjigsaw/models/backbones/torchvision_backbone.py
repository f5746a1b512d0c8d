"""A torchvision classification model as a backbone that returns its stage feature maps."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from torch import nn

from mmjigsaw.errors import ConfigError
from mmjigsaw.registry import MODELS
from ._external import freeze, import_library, init_wrapped_model, set_norm_eval

RESNET_STEM = ('conv1', 'bn1', 'relu', 'maxpool')
RESNET_STAGES = ('layer1', 'layer2', 'layer3', 'layer4')


def stage_ends(features: nn.Sequential, size: int = 224) -> List[int]:
    """Index of the last module of ``features`` at each output stride from 4 on (4, 8, 16, 32, ...),
    found by running a ``size`` x ``size`` zero image through it."""
    x = torch.zeros(1, 3, size, size)
    strides = []
    with torch.no_grad():
        for module in features:
            x = module(x)
            strides.append(size // x.shape[-1])
    ends = [i for i, s in enumerate(strides) if s >= 4 and (i + 1 == len(strides) or strides[i + 1] != s)]
    return ends


@MODELS.register_module()
class TorchvisionBackbone(BaseModule):
    """``torchvision.models.get_model(name)`` without its classifier, returning the feature maps at
    strides 4, 8, 16, 32 (``out_indices`` 0..3).

    Two layouts are understood: ResNet-like models (``conv1 bn1 relu maxpool layer1..layer4``:
    resnet*, resnext*, wide_resnet*) and models whose ``features`` is a sequence
    (mobilenet_v2/v3, efficientnet*, convnext*, ...), cut where the stride changes. The modules keep
    torchvision's names under ``model.``, so a pre-trained backbone exports in torchvision's layout
    (``extract_backbone.py --to torchvision``).

    In a detector config: ``custom_imports=dict(imports=['mmjigsaw.models'])`` and
    ``backbone=dict(type='mmjigsaw.TorchvisionBackbone', name='mobilenet_v2', out_indices=(0, 1, 2, 3))``.

    Args:
        name: a torchvision model name (``torchvision.models.list_models()``).
        out_indices: levels to return (0: stride 4, ..., 3: stride 32).
        checkpoint: local weights in torchvision's layout (the classifier is skipped), read with
            ``weights_only=True``; nothing is downloaded.
        frozen_stages: -1 freezes nothing, 0 the stem (ResNet: conv1, bn1; else ``features.0``), k the
            stem and the first k levels, as mmdet's ResNet does.
        norm_eval: keep BatchNorm layers in eval mode while training (fine-tuning).
        model_kwargs: further arguments of the torchvision constructor.
    """

    def __init__(self, name: str, out_indices: Sequence[int] = (0, 1, 2, 3), checkpoint: Optional[str] = None,
                 frozen_stages: int = -1, norm_eval: bool = False, init_cfg: Optional[Dict] = None, **model_kwargs):
        super().__init__(init_cfg=init_cfg)
        torchvision = import_library('torchvision', 'TorchvisionBackbone')
        model = torchvision.models.get_model(name, weights=None, **model_kwargs)
        if all(hasattr(model, m) for m in RESNET_STEM + RESNET_STAGES):
            model.fc = nn.Identity()
            self.stem = list(RESNET_STEM)
            self.levels = [self.stem + ['layer1'], ['layer2'], ['layer3'], ['layer4']]
        elif isinstance(getattr(model, 'features', None), nn.Sequential):
            model.classifier = nn.Identity()
            ends = stage_ends(model.features)
            starts = [0] + [e + 1 for e in ends[:-1]]
            self.levels = [[f'features.{i}' for i in range(s, e + 1)] for s, e in zip(starts, ends)]
            self.stem = ['features.0']
        else:
            raise ConfigError(f'TorchvisionBackbone: {name} is neither ResNet-like nor has a features '
                              'sequence; its stages are unknown.')
        if max(out_indices) >= len(self.levels):
            raise ConfigError(f'TorchvisionBackbone: {name} has {len(self.levels)} levels (strides 4 to '
                              f'{4 * 2 ** (len(self.levels) - 1)}); out_indices={tuple(out_indices)}.')
        self.name = name
        self.model = model
        self.out_indices = tuple(out_indices)
        self.checkpoint = checkpoint
        self.frozen_stages = frozen_stages
        self.norm_eval = norm_eval
        self._freeze()

    def _level_modules(self, level: int) -> List[nn.Module]:
        return [self.model.get_submodule(n) for n in self.levels[level]]

    def _freeze(self) -> None:
        """As mmdet's ResNet: ``frozen_stages`` 0 freezes the stem, k the stem and levels 0..k-1."""
        if self.frozen_stages < 0:
            return
        names = self.stem + [n for level in self.levels[:self.frozen_stages] for n in level]
        freeze(self.model.get_submodule(n) for n in names)

    def init_weights(self) -> None:
        """``init_cfg`` and ``checkpoint`` weights, nothing re-initialised (:func:`init_wrapped_model`)."""
        init_wrapped_model(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        outs = []
        for level in range(max(self.out_indices) + 1):
            for module in self._level_modules(level):
                x = module(x)
            if level in self.out_indices:
                outs.append(x)
        return tuple(outs)

    def train(self, mode: bool = True):
        super().train(mode)
        self._freeze()
        if mode and self.norm_eval:
            set_norm_eval(self)
        return self
