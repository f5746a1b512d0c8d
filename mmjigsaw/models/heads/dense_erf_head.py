"""ERF-adaptive dense classification, the paper's proposed head (method.md §4)."""
from typing import Dict, List

import torch
from torch import nn

from mmjigsaw.registry import MODELS
from mmjigsaw.utils import ConfigError
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

    Args:
        tau: the least weight of a position's own label, in [0, 1] (paper: 0.7; 1 gives block-wise).
    """

    def __init__(self, num_classes: int, in_channels: int, tau: float = 0.7, **kwargs):
        super().__init__(num_classes, in_channels, **kwargs)
        if not 0 <= tau <= 1:
            raise ConfigError(f'DenseERFHead: tau={tau} must lie in [0, 1] (the paper uses 0.7).')
        self.tau = tau
        self.conv = nn.Conv2d(in_channels, self.num_outputs, kernel_size=1)
        self.register_buffer('erf_weights', blockwise_weight_table(self.region_regions, (self.template.canvas,) * 2,
                                                                   self.feat_hw))

    def update_erf_weights(self, erf: torch.Tensor) -> torch.Tensor:
        """Recompute the table from ERF maps (Hf*Wf, H, W) of the template's canvas; returns it."""
        table = erf_weight_table(erf, self.region_regions, self.feat_hw, self.tau)
        self.erf_weights.copy_(table.to(self.erf_weights.device))
        return self.erf_weights

    def forward(self, feats) -> torch.Tensor:
        """(B, C+1, Hf, Wf) logits."""
        feat = feats[-1]
        self._check_feature(feat)
        return self.conv(feat)

    def region_scores(self, feats) -> torch.Tensor:
        probs = self(feats).float().softmax(1).flatten(2)                  # (B, C+1, P)
        return torch.einsum('rp,bcp->brc', self.region_pool, probs)

    def loss(self, feats, data_samples: List) -> Dict[str, torch.Tensor]:
        logits = self(feats).flatten(2)                                     # (B, C+1, P)
        one_hot = self.region_one_hot(data_samples, logits.device)         # (B, 4, C+1)
        target = torch.einsum('pr,brc->bcp', self.erf_weights, one_hot)   # (B, C+1, P)
        loss_map = soft_cross_entropy(logits, target, dim=1)                # (B, P)
        region_loss = torch.einsum('rp,bp->br', self.region_pool, loss_map)
        scores = torch.einsum('rp,bcp->brc', self.region_pool, logits.detach().float().softmax(1))
        return dict(loss_cls=self.loss_weight * region_loss.mean(),
                    acc_region=self.accuracy(scores, data_samples))
