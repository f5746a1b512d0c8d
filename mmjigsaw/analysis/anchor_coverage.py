"""Do a detector's anchors fit a dataset's boxes? The share of ground-truth boxes that some anchor
overlaps well enough to train on.

An RPN (or RetinaNet) learns a box only through the anchors its assigner makes positive. mmdet's
``MaxIoUAssigner`` makes an anchor positive when its IoU with the box reaches ``pos_iou_thr`` and,
with ``match_low_quality``, still gives every box its best anchor if that reaches ``min_pos_iou``.
So a box whose best anchor stays under ``min_pos_iou`` is never a positive, and one under
``pos_iou_thr`` learns from a single low-quality anchor. Thin boxes (poles, text lines, aerial
vehicles) fall there with mmdet's default anchors (one scale, h/w ratios 0.5 to 2).

Boxes are taken where the detector sees them: after the pipeline's ``Resize`` (or at a scale the
caller gives, for a pipeline that resizes to several), on the padded image's feature-map grid of
every anchor level.
"""
import math
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from mmjigsaw.errors import ConfigError, DataError

#: aspect groups of a box by h / w, as mmdet's anchor ratios count them
ASPECT_GROUPS = (('wide (h/w < 1/3)', 0.0, 1 / 3), ('near square', 1 / 3, 3.0), ('tall (h/w > 3)', 3.0, math.inf))


@dataclass
class AnchorCoverage:
    """Best anchor IoU of every box and the assigner's two thresholds."""
    best_iou: np.ndarray        # (N,) the highest IoU any anchor reaches with each box
    aspect: np.ndarray          # (N,) the box's h / w
    labels: np.ndarray          # (N,) 0-based class of each box
    min_pos_iou: float
    pos_iou_thr: float

    def share(self, threshold: float, mask: Optional[np.ndarray] = None) -> float:
        """Share of the boxes (of ``mask``) whose best anchor reaches ``threshold``."""
        iou = self.best_iou if mask is None else self.best_iou[mask]
        return float((iou >= threshold).mean()) if len(iou) else float('nan')

    @property
    def positive_share(self) -> float:
        """Share of boxes with at least one RPN-positive anchor (best IoU >= ``min_pos_iou``)."""
        return self.share(self.min_pos_iou)

    @property
    def good_share(self) -> float:
        """Share of boxes with an anchor at ``pos_iou_thr`` or more."""
        return self.share(self.pos_iou_thr)

    def rows(self, class_names: Sequence[str]) -> List[Tuple[str, int, float, float]]:
        """(group, boxes, positive share, good share) for all boxes, each aspect group and each class."""
        groups = [('all', np.ones(len(self.best_iou), bool))]
        groups += [(name, (self.aspect >= lo) & (self.aspect < hi)) for name, lo, hi in ASPECT_GROUPS]
        groups += [(f'class {name}', self.labels == i) for i, name in enumerate(class_names)]
        return [(name, int(mask.sum()), self.share(self.min_pos_iou, mask), self.share(self.pos_iou_thr, mask))
                for name, mask in groups if mask.any()]


def resized_shape(height: int, width: int, scale: Tuple[int, int]) -> Tuple[float, float]:
    """The (height, width) scale factors of mmcv's ``Resize(scale, keep_ratio=True)``: the largest
    that keeps the longer side within ``max(scale)`` and the shorter within ``min(scale)``."""
    factor = min(max(scale) / max(height, width), min(scale) / min(height, width))
    new_w, new_h = int(width * factor + 0.5), int(height * factor + 0.5)
    return new_h / height, new_w / width


def box_anchor_coverage(images: Iterable[Tuple[Tuple[int, int], np.ndarray, np.ndarray]], anchor_generator,
                        min_pos_iou: float, pos_iou_thr: float, pad_divisor: int = 32,
                        source: str = 'the dataset') -> AnchorCoverage:
    """Best anchor IoU of every box.

    Args:
        images: (image (height, width) as the detector sees it, boxes (N, 4) xyxy in those pixels,
            labels (N,)) per image.
        anchor_generator: an mmdet ``AnchorGenerator`` (its ``grid_priors`` and ``strides``).
        min_pos_iou / pos_iou_thr: the RPN assigner's thresholds.
        pad_divisor: the data preprocessor's ``pad_size_divisor`` (the feature maps cover the padding).
        source: what ``images`` came from, for the error when it holds no box.
    """
    from mmdet.structures.bbox import bbox_overlaps
    best, aspect, labels = [], [], []
    for (height, width), boxes, box_labels in images:
        if not len(boxes):
            continue
        padded = [math.ceil(s / pad_divisor) * pad_divisor for s in (height, width)]
        sizes = [(math.ceil(padded[0] / s[1]), math.ceil(padded[1] / s[0])) for s in anchor_generator.strides]
        anchors = torch.cat(anchor_generator.grid_priors(sizes, device='cpu'))
        gt = torch.as_tensor(boxes, dtype=torch.float32)
        best.append(bbox_overlaps(gt, anchors).max(1).values.numpy())
        aspect.append((boxes[:, 3] - boxes[:, 1]) / np.maximum(boxes[:, 2] - boxes[:, 0], 1e-6))
        labels.append(np.asarray(box_labels))
    if not best:
        raise DataError(f'anchor coverage: {source} has no boxes.')
    return AnchorCoverage(np.concatenate(best), np.concatenate(aspect), np.concatenate(labels),
                          min_pos_iou, pos_iou_thr)


def _resize_scale(pipeline: Sequence[Dict]) -> Optional[Tuple[int, int]]:
    """The (w, h) scale of the pipeline's ``Resize`` (None without one); a pipeline that resizes to
    several scales (``RandomChoiceResize``, ``RandomResize``, ...) is refused: the caller picks one."""
    for step in pipeline:
        kind = step.get('type', '').split('.')[-1]  # 'mmdet.Resize' too
        if kind == 'Resize':
            if not step.get('keep_ratio', False):
                raise ConfigError('anchor coverage: Resize without keep_ratio is not supported.')
            return tuple(step['scale'])
        if 'Resize' in kind:
            scales = step.get('scales', step.get('scale'))
            raise ConfigError(f'anchor coverage: the pipeline resizes with {kind} (scales {scales}); '
                              'measure at one scale: --scale W H (say, its largest and its smallest).')
    return None


def _inner_dataset(dataset: Dict) -> Dict:
    """The dataset config inside wrappers such as ``RepeatDataset`` (each holds one in ``dataset``)."""
    while 'ann_file' not in dataset and 'dataset' in dataset:
        dataset = dataset['dataset']
    return dataset


def config_anchor_coverage(cfg, split: str = 'train', ann_file: Optional[str] = None,
                           scale: Optional[Tuple[int, int]] = None) -> Tuple[AnchorCoverage, List[str]]:
    """:func:`box_anchor_coverage` of a detector config's anchors and RPN assigner on its ``split``
    (``'train'`` or ``'val'``) annotations, or on ``ann_file`` instead, with the images resized as the
    split's pipeline does, or to ``scale`` (w, h; mmcv's ``Resize(keep_ratio=True)``) instead.
    Returns it and the class names."""
    from mmdet.registry import TASK_UTILS
    from mmengine.registry import DefaultScope

    from mmjigsaw.datasets.coco import load_coco_detection
    head = cfg.model.get('rpn_head') or cfg.model.get('bbox_head')
    if head is None or 'anchor_generator' not in head:
        raise ConfigError('anchor coverage: the config has no rpn_head / bbox_head with an anchor_generator.')
    train_cfg = cfg.model.get('train_cfg', {})
    assigner = (train_cfg.get('rpn') or train_cfg).get('assigner', {})
    if 'pos_iou_thr' not in assigner:
        raise ConfigError('anchor coverage: the config has no MaxIoUAssigner (model.train_cfg.rpn.assigner).')
    dataset = _inner_dataset(cfg[f'{split}_dataloader'].dataset)
    kind = dataset.get('type', 'dataset')
    if ann_file is None:
        if 'ann_file' not in dataset:
            raise ConfigError(f'anchor coverage: the {kind} config names no single ann_file; pass --ann FILE.')
        ann_file = osp.join(dataset.get('data_root') or '', dataset.ann_file)  # as mmengine's BaseDataset does
    if scale is None:
        if 'pipeline' not in dataset:
            raise ConfigError(f'anchor coverage: the {kind} config has no pipeline to read the resize from; '
                              'pass --scale W H.')
        scale = _resize_scale(dataset.pipeline)
    class_names, images, _ = load_coco_detection(ann_file)

    def seen():
        for img in images:
            keep = ~img.ignore
            boxes, labels = img.boxes[keep].astype(np.float32), img.labels[keep]
            fy, fx = resized_shape(img.height, img.width, scale) if scale else (1.0, 1.0)
            yield ((round(img.height * fy), round(img.width * fx)), boxes * [fx, fy, fx, fy], labels)

    with DefaultScope.overwrite_default_scope('mmdet'):
        generator = TASK_UTILS.build(head.anchor_generator)
    pad = cfg.model.get('data_preprocessor', {}).get('pad_size_divisor', 1)
    # mmdet's MaxIoUAssigner defaults: min_pos_iou 0, match_low_quality True (without it, only pos_iou_thr)
    min_pos_iou = assigner.get('min_pos_iou', 0.0) if assigner.get('match_low_quality', True) \
        else assigner['pos_iou_thr']
    coverage = box_anchor_coverage(seen(), generator, min_pos_iou, assigner['pos_iou_thr'], pad, source=ann_file)
    return coverage, class_names
