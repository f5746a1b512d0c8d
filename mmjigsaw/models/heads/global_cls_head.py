"""Global classification of a montage: one area-weighted soft label (method.md §4)."""
from typing import Dict, List

import torch
from torch import nn

from mmjigsaw.registry import MODELS
from .base_montage_head import BaseMontageHead, soft_cross_entropy


@MODELS.register_module()
class GlobalClsHead(BaseMontageHead):
    """Global average pooling + FC to C+1 classes; the target is the four region labels weighted
    by region area (CutMix-like)."""

    def __init__(self, num_classes: int, in_channels: int, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        self.fc = nn.Linear(in_channels, self.num_outputs)
        areas = torch.as_tensor(self.template.region_areas, dtype=torch.float32)
        self.register_buffer('area_weights', areas / areas.sum(), persistent=False)

    def forward(self, feats) -> torch.Tensor:
        """(B, C+1) logits."""
        feat = feats[-1]
        self._check_feature(feat)
        return self.fc(feat.mean((2, 3)))

    def region_scores(self, feats) -> torch.Tensor:
        return self(feats).float().softmax(-1)[:, None].expand(-1, 4, -1)

    def loss(self, feats, data_samples: List) -> Dict[str, torch.Tensor]:
        logits = self(feats)
        target = torch.einsum('r,brc->bc', self.area_weights, self.region_one_hot(data_samples, logits.device))
        loss = soft_cross_entropy(logits, target).mean()
        return dict(loss_cls=self.loss_weight * loss,
                    acc_region=self.accuracy(logits.detach().float()[:, None].expand(-1, 4, -1), data_samples))
