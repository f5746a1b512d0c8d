"""The pre-training model: backbone + montage head."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

from mmjigsaw.registry import MODELS
from mmjigsaw.structures import JigsawDataSample
from ..backbone_probe import fit_head_to_backbone


@MODELS.register_module()
class JigsawClassifier(BaseModel):
    """Montage pre-training model (docs/method.md §4).

    Args:
        backbone: backbone config; by default mmdet's ResNet-50 with ``out_indices=(3,)``, so the
            weights load into mmdet detectors unchanged. Any backbone works whose deepest output
            tiles the head's template (stride 32 on the 224 canvas).
        head: one of ``GlobalClsHead``, ``BlockwiseClsHead``, ``DenseERFHead``. Its
            ``in_channels`` may be left out (or ``None``): it is read from the backbone's deepest
            output. That output's size is checked against the template before training; a
            backbone that does not fit is refused with a one-line :class:`ConfigError`.
        data_preprocessor: by default ``JigsawDataPreprocessor`` (ImageNet mean/std, RGB).

    Modes of :meth:`forward`: ``loss`` (dict of losses), ``predict`` (data samples with
    ``pred_region_scores``, (4, C+1) per montage) and ``tensor`` (the head's raw output).
    """

    def __init__(self, head: Dict, backbone: Optional[Dict] = None,
                 data_preprocessor: Optional[Dict] = None, init_cfg: Optional[Dict] = None):
        if backbone is None:
            backbone = dict(type='mmdet.ResNet', depth=50, out_indices=(3,))
        if data_preprocessor is None:
            data_preprocessor = dict(type='JigsawDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(fit_head_to_backbone(head, self.backbone, backbone))

    def extract_feat(self, inputs: torch.Tensor) -> tuple:
        """The backbone's feature maps, always as a tuple (the last one feeds the head)."""
        feats = self.backbone(inputs)
        return tuple(feats) if isinstance(feats, (tuple, list)) else (feats,)

    def forward(self, inputs: torch.Tensor, data_samples: Optional[List[JigsawDataSample]] = None,
                mode: str = 'tensor') -> Union[Dict, List, torch.Tensor]:
        feats = self.extract_feat(inputs)
        if mode == 'loss':
            return self.head.loss(feats, data_samples)
        if mode == 'predict':
            return self.head.predict(feats, data_samples)
        if mode == 'tensor':
            return self.head(feats)
        raise ValueError(f'JigsawClassifier: unknown mode {mode!r} (loss, predict or tensor).')
