"""What the three montage heads share: the template's regions on the feature grid."""
from typing import Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmjigsaw.structures import JigsawDataSample, MontageTemplate
from mmjigsaw.utils import ConfigError
from ..erf import cell_region_index


class BaseMontageHead(BaseModule):
    """Base of the montage classification heads.

    Args:
        num_classes: object classes; the heads output ``num_classes + 1`` scores, background last.
        in_channels: channels of the backbone's last feature map.
        template: ``dict(canvas=224, cut=64)`` (method.md §3).
        stride: backbone output stride; the template must align with it.
        loss_weight: factor on the loss.
    """

    def __init__(self, num_classes: int, in_channels: int, template: Optional[Dict] = None,
                 stride: int = 32, loss_weight: float = 1.0, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.num_classes = num_classes
        self.num_outputs = num_classes + 1
        self.template = MontageTemplate(**(template or {}))
        self.feat_hw = self.template.feature_shape(stride)
        self.loss_weight = loss_weight
        regions = torch.as_tensor(self.template.regions)
        own = cell_region_index(regions, (self.template.canvas,) * 2, self.feat_hw)
        one_hot = F.one_hot(own, 4).float()                              # (P, 4)
        self.register_buffer('region_regions', regions, persistent=False)
        self.register_buffer('cell_region', own, persistent=False)       # (P,)
        self.register_buffer('region_pool', (one_hot / one_hot.sum(0)).T.contiguous(),
                             persistent=False)                           # (4, P), rows average

    def _check_feature(self, feat: torch.Tensor) -> None:
        if tuple(feat.shape[-2:]) != self.feat_hw:
            raise ValueError(f'{type(self).__name__}: feature map {tuple(feat.shape[-2:])}, the template '
                             f'{self.template} with its stride expects {self.feat_hw}.')

    def region_one_hot(self, data_samples: List[JigsawDataSample], device) -> torch.Tensor:
        """(B, 4, C+1) one-hot region labels."""
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

    def region_scores(self, feats) -> torch.Tensor:
        """(B, 4, C+1) class probabilities per region."""
        raise NotImplementedError

    def loss(self, feats, data_samples: List[JigsawDataSample]) -> Dict[str, torch.Tensor]:
        raise NotImplementedError

    def accuracy(self, scores: torch.Tensor, data_samples: List[JigsawDataSample]) -> torch.Tensor:
        labels = torch.stack([s.gt_region_labels for s in data_samples]).to(scores.device)
        return (scores.argmax(-1) == labels).float().mean()

    def predict(self, feats, data_samples: List[JigsawDataSample]) -> List[JigsawDataSample]:
        scores = self.region_scores(feats)
        return [s.set_pred_region_scores(sc) for s, sc in zip(data_samples, scores)]


def soft_cross_entropy(logits: torch.Tensor, target: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """-sum(target * log_softmax(logits)) along ``dim`` (no reduction over other dims)."""
    return -(target * F.log_softmax(logits.float(), dim=dim)).sum(dim)
