"""Block-wise classification: each region pooled and classified on its own (docs/method.md §4)."""
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
        return self.fc(self.pool_regions(self.last_feature(feats).flatten(2)))

    def probabilities_per_region(self, logits: torch.Tensor) -> torch.Tensor:
        return logits.softmax(-1)

    def loss_from_logits(self, logits: torch.Tensor, region_targets: torch.Tensor) -> torch.Tensor:
        return soft_cross_entropy(logits, region_targets).mean()
