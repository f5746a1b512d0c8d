"""ERF-adaptive dense classification, the paper's proposed head (docs/method.md §4)."""
import warnings

import torch
from torch import nn

from mmjigsaw.errors import ConfigError
from mmjigsaw.registry import MODELS
from ..erf import blockwise_weight_table, erf_weight_table
from .base_montage_head import BaseMontageHead, soft_cross_entropy


@MODELS.register_module()
class DenseERFHead(BaseMontageHead):
    """1x1 conv to C+1 classes at every feature position, each against a soft label that mixes the
    four region labels with ERF weights.

    The weight table ``erf_weights`` (Hf*Wf, 4) is a persistent buffer, so checkpoints carry it. It
    starts as the block-wise table (each position all on its own region) and is refreshed from the
    network's ERF by :class:`ERFUpdateHook` (:meth:`update_erf_weights`). The loss is the soft
    cross-entropy per position, averaged inside each region, then over the four regions.

    Training without the hook keeps the block-wise table, i.e. trains the block-wise labels: the
    first training loss warns once unless the hook announced itself (``erf_refresh_scheduled``) or
    ``tau = 1``, where the refreshed table would be the block-wise one anyway.

    Args:
        tau: the least weight of a position's own label, in [0, 1] (paper: 0.7; 1 gives block-wise).
    """

    def __init__(self, num_classes: int, in_channels: int, tau: float = 0.7, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        if not 0 <= tau <= 1:
            raise ConfigError(f'DenseERFHead: tau={tau} must lie in [0, 1] (the paper uses 0.7).')
        self.tau = tau
        self.conv = nn.Conv2d(in_channels, self.num_outputs, kernel_size=1)
        self.register_buffer('erf_weights', blockwise_weight_table(self.cell_regions))
        self.erf_refresh_scheduled = False  # set by ERFUpdateHook before training
        self._warned_no_refresh = False

    def update_erf_weights(self, erf: torch.Tensor) -> torch.Tensor:
        """Recompute the table from ERF maps (Hf*Wf, H, W) of the template's canvas; returns it."""
        table = erf_weight_table(erf, self.regions, self.cell_regions, self.tau)
        self.erf_weights.copy_(table.to(self.erf_weights.device))
        return self.erf_weights

    def own_label_weight(self) -> float:
        """Mean weight of a position's own region label in the current table (1: block-wise)."""
        rows = torch.arange(len(self.erf_weights), device=self.erf_weights.device)
        return self.erf_weights[rows, self.cell_regions].mean().item()

    def forward(self, feats) -> torch.Tensor:
        """(B, C+1, Hf, Wf) logits."""
        return self.conv(self.last_feature(feats))

    def probabilities_per_region(self, logits: torch.Tensor) -> torch.Tensor:
        return self.pool_regions(logits.flatten(2).softmax(1))

    def loss_from_logits(self, logits: torch.Tensor, region_targets: torch.Tensor) -> torch.Tensor:
        if self.training and self.tau < 1 and not self.erf_refresh_scheduled and not self._warned_no_refresh:
            self._warned_no_refresh = True
            warnings.warn('DenseERFHead trains without ERFUpdateHook: its ERF table is never refreshed, so '
                          'it trains the block-wise labels (tau = 1), not the ERF-adaptive ones. Add '
                          "dict(type='ERFUpdateHook') to custom_hooks.")
        logits = logits.flatten(2)                                              # (B, C+1, P)
        targets = torch.matmul(self.erf_weights, region_targets).transpose(1, 2)  # (B, C+1, P)
        loss_per_position = soft_cross_entropy(logits, targets, dim=1)          # (B, P)
        return self.pool_regions(loss_per_position[:, None]).mean()
