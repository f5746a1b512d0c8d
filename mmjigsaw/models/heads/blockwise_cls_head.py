"""Block-wise classification: each region pooled and classified on its own (method.md §4)."""
from typing import Dict, List

import torch
from torch import nn

from mmjigsaw.registry import MODELS
from .base_montage_head import BaseMontageHead, soft_cross_entropy


@MODELS.register_module()
class BlockwiseClsHead(BaseMontageHead):
    """Average-pool the feature cells of each region, FC to C+1 classes, cross-entropy against the
    region's label, averaged over the four regions."""

    def __init__(self, num_classes: int, in_channels: int, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        self.fc = nn.Linear(in_channels, self.num_outputs)

    def forward(self, feats) -> torch.Tensor:
        """(B, 4, C+1) logits per region."""
        feat = feats[-1]
        self._check_feature(feat)
        pooled = torch.einsum('rp,bcp->brc', self.region_pool.to(feat.dtype), feat.flatten(2))
        return self.fc(pooled)

    def region_scores(self, feats) -> torch.Tensor:
        return self(feats).float().softmax(-1)

    def loss(self, feats, data_samples: List) -> Dict[str, torch.Tensor]:
        logits = self(feats)
        loss = soft_cross_entropy(logits, self.region_one_hot(data_samples, logits.device)).mean()
        return dict(loss_cls=self.loss_weight * loss, acc_region=self.accuracy(logits.detach(), data_samples))
