"""Online sample extraction: the offline store's extraction as a pipeline transform."""
from typing import Dict

import numpy as np
from mmcv.transforms import BaseTransform

from mmjigsaw.errors import DataError
from mmjigsaw.registry import TRANSFORMS
from ..sample_extraction import extract_image_samples


def _as_array(x, dtype, shape) -> np.ndarray:
    if x is None:
        return np.zeros(shape, dtype)
    if hasattr(x, 'tensor'):  # mmdet's box types
        x = x.tensor
    if hasattr(x, 'numpy'):
        x = x.numpy()
    return np.asarray(x, dtype=dtype).reshape((-1,) + shape[1:])


@TRANSFORMS.register_module()
class PosNegExtract(BaseTransform):
    """Cut positive and negative samples from one detection image (docs/method.md §1).

    Uses :func:`extract_image_samples`, the same function as tools/extract_samples.py.

    Required Keys:
        - img: (H, W, 3) uint8 RGB.
        - gt_bboxes: (N, 4) [x1, y1, x2, y2] (array, tensor or mmdet boxes).
        - gt_bboxes_labels: (N,) 0-based labels.
        - gt_ignore_flags (optional): (N,) crowd flags.
        - rng (optional): ``np.random.Generator`` for every random choice.

    Added Keys:
        - samples: list of dicts with ``img``, ``label``, ``group``, ``crop_box``, ``gt_box``.
        - extraction_skips: skip counts by reason.

    Args:
        num_classes: object classes; negatives get this label.
        neg_ratio: negatives per positive (docs/method.md: 0.1).
        min_size: boxes smaller than this (px) are skipped.
        context: largest context added to each side of a positive, as a fraction of its size
            (the paper: 0.5; 0 is the bare box).
    """

    def __init__(self, num_classes: int, neg_ratio: float = 0.1, min_size: float = 4, context: float = 0.5):
        self.num_classes = num_classes
        self.neg_ratio = neg_ratio
        self.min_size = min_size
        self.context = context

    def transform(self, results: Dict) -> Dict:
        img = results['img']
        h, w = img.shape[:2]
        boxes = _as_array(results.get('gt_bboxes'), np.float64, (0, 4)).copy()
        boxes[:, 0::2] = boxes[:, 0::2].clip(0, w)
        boxes[:, 1::2] = boxes[:, 1::2].clip(0, h)
        labels = _as_array(results.get('gt_bboxes_labels'), np.int64, (0,))
        ignore = _as_array(results.get('gt_ignore_flags'), bool, (len(boxes),))
        if len(ignore) != len(boxes):  # treating the flags as all False would make crowd boxes positives
            raise DataError(f'{results.get("img_path", "image")}: {len(ignore)} gt_ignore_flags for '
                            f'{len(boxes)} gt_bboxes; they must match one to one.')
        rng = results.get('rng') or np.random.default_rng(np.random.randint(2**31))
        samples, skips = extract_image_samples(boxes, labels, ignore, w, h, self.num_classes, rng,
                                               neg_ratio=self.neg_ratio, min_size=self.min_size,
                                               context=self.context)
        results['samples'] = [
            dict(img=img[s.crop_box[1]:s.crop_box[3], s.crop_box[0]:s.crop_box[2]], label=s.label,
                 group=s.group, crop_box=s.crop_box.tolist(),
                 gt_box=None if s.gt_box is None else s.gt_box.tolist()) for s in samples]
        results['extraction_skips'] = skips
        return results
