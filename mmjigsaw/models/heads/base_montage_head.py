"""What the three montage heads share: the contract, the template's regions on the feature grid,
region pooling, and losses computed in float32."""
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmjigsaw.errors import ConfigError
from mmjigsaw.structures import JigsawDataSample, MontageTemplate
from ..erf import own_region_share
from ..utils import deepest_feature


class BaseMontageHead(BaseModule):
    """Base of the montage classification heads.

    The contract every head keeps (``feats`` is the backbone's output: a tuple of (B, C, Hf, Wf)
    maps, of which the heads read the last):

    - ``forward(feats)``: the head's logits (shape per head, float in autocast's dtype).
    - ``region_scores(feats)``: (B, 4, C+1) float32 class probabilities of R1..R4, background last.
    - ``loss(feats, data_samples)``: ``dict(loss_cls, acc_region)``, scalars; targets and losses are
      computed in float32 even under autocast. ``data_samples`` are :class:`JigsawDataSample` with
      ``gt_region_labels`` (4,).
    - ``predict(feats, data_samples)``: the samples with ``pred_region_scores`` (4, C+1) set.

    A subclass implements ``forward``, ``probabilities_per_region(logits)`` and
    ``loss_from_logits(logits, region_targets)``; both get float32 logits outside autocast.

    For hooks and pictures: ``template``, ``feature_shape`` (Hf, Wf), ``cell_region_map()``,
    ``own_region_share(erf)``.

    Args:
        num_classes: object classes; the heads output ``num_classes + 1`` scores, background last.
        in_channels: channels of the backbone's last feature map.
        template: ``dict(canvas=224, cut=64)`` (docs/method.md §3).
        stride: backbone output stride; the template must align with it.
        loss_weight: factor on the loss.
    """

    def __init__(self, num_classes: int, in_channels: int, template: Optional[Dict] = None,
                 stride: int = 32, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.num_outputs = num_classes + 1
        self.template = MontageTemplate(**(template or {}))
        self.feature_shape: Tuple[int, int] = self.template.feature_shape(stride)
        self.loss_weight = loss_weight
        cell_regions = torch.as_tensor(self.template.cell_regions(stride)).flatten()   # (P,)
        one_hot = F.one_hot(cell_regions, 4).float()                                  # (P, 4)
        self.register_buffer('regions', torch.as_tensor(self.template.regions), persistent=False)
        self.register_buffer('cell_regions', cell_regions, persistent=False)
        self.register_buffer('region_means', (one_hot / one_hot.sum(0)).T.contiguous(),
                             persistent=False)                                         # (4, P)

    # ---- the contract ------------------------------------------------------------------------
    def probabilities_per_region(self, logits: torch.Tensor) -> torch.Tensor:
        """(B, 4, C+1) class probabilities of each region from float32 ``logits``."""
        raise NotImplementedError

    def loss_from_logits(self, logits: torch.Tensor, region_targets: torch.Tensor) -> torch.Tensor:
        """Scalar loss of float32 ``logits`` against (B, 4, C+1) one-hot region labels."""
        raise NotImplementedError

    def region_scores(self, feats) -> torch.Tensor:
        logits = self(feats)
        with torch.autocast(logits.device.type, enabled=False):
            return self.probabilities_per_region(logits.float())

    def loss(self, feats, data_samples: List[JigsawDataSample]) -> Dict[str, torch.Tensor]:
        logits = self(feats)
        with torch.autocast(logits.device.type, enabled=False):
            logits = logits.float()
            loss = self.loss_from_logits(logits, self.region_one_hot(data_samples, logits.device))
            scores = self.probabilities_per_region(logits.detach())
        return dict(loss_cls=self.loss_weight * loss, acc_region=self.accuracy(scores, data_samples))

    def predict(self, feats, data_samples: List[JigsawDataSample]) -> List[JigsawDataSample]:
        scores = self.region_scores(feats)
        return [s.set_pred_region_scores(sc) for s, sc in zip(data_samples, scores)]

    # ---- shared pieces -----------------------------------------------------------------------
    def last_feature(self, feats) -> torch.Tensor:
        """The (B, C, Hf, Wf) map the head reads, checked against the template."""
        feat = deepest_feature(feats)
        if tuple(feat.shape[-2:]) != self.feature_shape:
            raise ValueError(f'{type(self).__name__}: feature map {tuple(feat.shape[-2:])}, the template '
                             f'{self.template} with its stride expects {self.feature_shape}.')
        return feat

    def pool_regions(self, values: torch.Tensor) -> torch.Tensor:
        """(B, K, Hf*Wf) values per position to (B, 4, K): their mean over each region's cells."""
        return torch.matmul(self.region_means.to(values.dtype), values.transpose(1, 2))

    def region_one_hot(self, data_samples: List[JigsawDataSample], device) -> torch.Tensor:
        """(B, 4, C+1) float32 one-hot region labels."""
        regions = data_samples[0].metainfo.get('regions')
        if regions is not None and not np.array_equal(np.asarray(regions), self.template.regions):
            raise ConfigError(f'{type(self).__name__}: the montages\' regions {np.asarray(regions).tolist()} '
                              f'differ from the head\'s template {self.template}; give the head and '
                              'JigsawAssemble the same template.')
        labels = torch.stack([s.gt_region_labels for s in data_samples]).to(device)
        if labels.max() >= self.num_outputs or labels.min() < 0:
            raise ValueError(f'{type(self).__name__}: region label {int(labels.max())} outside '
                             f'0..{self.num_classes} (num_classes={self.num_classes} plus background); '
                             "the head's num_classes must match the store's classes.")
        return F.one_hot(labels, self.num_outputs).float()

    def accuracy(self, scores: torch.Tensor, data_samples: List[JigsawDataSample]) -> torch.Tensor:
        """Share of regions whose top-scoring class is their label."""
        labels = torch.stack([s.gt_region_labels for s in data_samples]).to(scores.device)
        return (scores.argmax(-1) == labels).float().mean()

    def cell_region_map(self) -> torch.Tensor:
        """(Hf, Wf) region index (0..3 for R1..R4) of each feature cell."""
        return self.cell_regions.view(self.feature_shape)

    def own_region_share(self, erf: torch.Tensor) -> torch.Tensor:
        """(P,) share of each position's ERF (P, H, W) that falls inside its own region."""
        return own_region_share(erf, self.regions, self.cell_regions)


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """-sum(target * log_softmax(logits)) along ``dim`` (no reduction over other dims)."""
    return -(target * F.log_softmax(logits, dim=dim)).sum(dim)
