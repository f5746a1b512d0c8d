"""The data sample of one montage."""
import numpy as np
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

    def __reduce__(self):
        """Pickle a training sample as plain lists: DataLoader workers send one per montage, and
        the generic pickling of a data element costs several times more to send and receive."""
        fields = set(self.keys())
        if fields != {'gt_region_labels'} or set(self.metainfo_keys()) - {'regions', 'img_shape'}:
            return super().__reduce__()
        meta = {k: np.asarray(v).tolist() for k, v in self.metainfo.items()}
        return _rebuild_training_sample, (self.gt_region_labels.tolist(), meta)


def _rebuild_training_sample(labels, meta) -> JigsawDataSample:
    meta['regions'] = np.asarray(meta['regions'])
    meta['img_shape'] = tuple(meta['img_shape'])
    return JigsawDataSample(metainfo=meta).set_gt_region_labels(labels)
