"""The data sample of one montage."""
import torch
from mmengine.structures import BaseDataElement


class JigsawDataSample(BaseDataElement):
    """Annotations and predictions of one montage.

    Meta fields: ``regions`` ((4, 4) region boxes in canvas pixels), ``img_shape``.
    Data fields: ``gt_region_labels`` ((4,) int64, R1..R4) and, after ``predict``,
    ``pred_region_scores`` ((4, C+1) class probabilities per region, background last).
    """

    def set_gt_region_labels(self, labels) -> 'JigsawDataSample':
        self.gt_region_labels = torch.as_tensor(labels, dtype=torch.long)
        return self

    def set_pred_region_scores(self, scores: torch.Tensor) -> 'JigsawDataSample':
        self.pred_region_scores = scores
        return self
