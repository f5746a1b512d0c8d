"""Any timm model as a backbone that returns its stage feature maps, the way mmdet backbones do."""
from typing import Dict, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule

from mmjigsaw.registry import MODELS
from ._external import import_library, init_wrapped_model, set_norm_eval


@MODELS.register_module()
class TimmBackbone(BaseModule):
    """``timm.create_model(model_name, num_classes=0)`` returning the feature maps of ``out_indices``.

    The model keeps timm's own module names under ``model.``, so a pre-trained backbone exports in
    timm's layout (``extract_backbone.py --to timm``) and loads ``strict=True`` into
    ``timm.create_model(model_name, num_classes=0)``. Features come from timm's
    ``forward_intermediates`` (timm >= 1.0), which every hierarchical timm model has.

    In a detector config: ``custom_imports=dict(imports=['mmjigsaw.models'])`` and
    ``backbone=dict(type='mmjigsaw.TimmBackbone', model_name=..., out_indices=(0, 1, 2, 3))``.

    Args:
        model_name: a timm model name, e.g. ``'convnext_tiny'``.
        out_indices: stages whose outputs are returned (timm's feature indices).
        checkpoint: local weights (timm layout; an ImageNet classifier is skipped), read with
            ``weights_only=True``; nothing is downloaded.
        norm_eval: keep BatchNorm layers in eval mode while training (fine-tuning).
        model_kwargs: further ``timm.create_model`` arguments (``drop_path_rate``, ...).
    """

    def __init__(self, model_name: str, out_indices: Sequence[int] = (0, 1, 2, 3), checkpoint: Optional[str] = None,
                 norm_eval: bool = False, init_cfg: Optional[Dict] = None, **model_kwargs):
        super().__init__(init_cfg=init_cfg)
        timm = import_library('timm', 'TimmBackbone')
        self.model_name = model_name
        self.model = timm.create_model(model_name, pretrained=False, num_classes=0, **model_kwargs)
        if not hasattr(self.model, 'forward_intermediates'):
            raise ValueError(f'TimmBackbone: timm model {model_name} has no forward_intermediates(); '
                             'choose a hierarchical model (convnext_*, resnet*, efficientnet_*, ...).')
        self.out_indices = tuple(out_indices)
        self.checkpoint = checkpoint
        self.norm_eval = norm_eval

    def init_weights(self) -> None:
        """``init_cfg`` and ``checkpoint`` weights, nothing re-initialised (:func:`init_wrapped_model`)."""
        init_wrapped_model(self)

    def forward(self, x: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        feats = self.model.forward_intermediates(x, indices=list(self.out_indices), intermediates_only=True)
        return tuple(feats)

    def train(self, mode: bool = True):
        super().train(mode)
        if mode and self.norm_eval:
            set_norm_eval(self)
        return self
