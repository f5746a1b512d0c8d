"""Global classification of a montage: one area-weighted soft label (docs/method.md §4)."""
import torch
from torch import nn

from mmjigsaw.registry import MODELS
from .base_montage_head import BaseMontageHead, soft_cross_entropy


@MODELS.register_module()
class GlobalClsHead(BaseMontageHead):
    """Global average pooling + FC to C+1 classes; the target is the four region labels weighted
    by region area (CutMix-like). Every region gets the montage's one prediction."""

    def __init__(self, num_classes: int, in_channels: int, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        self.fc = nn.Linear(in_channels, self.num_outputs)
        areas = torch.as_tensor(self.template.region_areas, dtype=torch.float32)
        self.register_buffer('area_weights', areas / areas.sum(), persistent=False)

    def forward(self, feats) -> torch.Tensor:
        """(B, C+1) logits."""
        return self.fc(self.last_feature(feats).mean((2, 3)))

    def probabilities_per_region(self, logits: torch.Tensor) -> torch.Tensor:
        return logits.softmax(-1)[:, None].expand(-1, 4, -1)

    def loss_from_logits(self, logits: torch.Tensor, region_targets: torch.Tensor) -> torch.Tensor:
        targets = torch.matmul(self.area_weights, region_targets)   # (B, C+1)
        return soft_cross_entropy(logits, targets).mean()
