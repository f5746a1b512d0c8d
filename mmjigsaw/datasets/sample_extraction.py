"""Positive and negative samples of one detection image (docs/method.md §1).

This is the single extraction used by both the offline store builder and the online
``PosNegExtract`` transform. Boxes are ``[x1, y1, x2, y2]``; crop boxes are whole pixels
(``img[y1:y2, x1:x2]`` is exactly the sample).
"""
import math
from collections import Counter
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

import numpy as np

from mmjigsaw.structures import aspect_group, intersection_areas

#: How often a negative box is tried at one size before the size shrinks, and how often it shrinks.
NEGATIVE_TRIES_PER_SIZE = 20
NEGATIVE_SHRINKS = 4
NEGATIVE_SHRINK_FACTOR = 0.7


@dataclass
class Sample:
    """One sample to cut from an image.

    Attributes:
        crop_box: whole-pixel crop ``[x1, y1, x2, y2]`` (int), inside the image.
        label: category index (0-based); background is the number of object classes.
        group: aspect group of the crop, 'S', 'T' or 'W'.
        gt_box: the ground-truth box (float) of a positive, ``None`` for a negative.
    """
    crop_box: np.ndarray
    label: int
    group: str
    gt_box: Optional[np.ndarray]


def enlarge_box(box: np.ndarray, img_w: int, img_h: int, rng: np.random.Generator,
                context: float = 0.5) -> np.ndarray:
    """A positive's crop: each side of ``box`` moves outward by U(0, context * w) (left, right) and
    U(0, context * h) (top, bottom); the paper's context is 0.5, i.e. U(0, w/2) and U(0, h/2).

    The result is rounded outward to whole pixels, clipped to the image, and never wider or taller
    than ``floor((1 + 2 * context) * w)`` x ``floor((1 + 2 * context) * h)``; it always contains
    ``box``. ``context=0`` gives the bare box (rounded outward), the paper's ablation.

    Args:
        box: ``[x1, y1, x2, y2]`` inside the image, at least 1 px each way.
        context: the largest enlargement of each side, as a fraction of the box's size.
    Returns:
        int64 ``[x1, y1, x2, y2]``.
    """
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    dl, dr = rng.uniform(0, context * w, 2)
    dt, db = rng.uniform(0, context * h, 2)
    crop = [math.floor(max(x1 - dl, 0)), math.floor(max(y1 - dt, 0)),
            math.ceil(min(x2 + dr, img_w)), math.ceil(min(y2 + db, img_h))]
    inner = [math.floor(x1), math.floor(y1), math.ceil(x2), math.ceil(y2)]
    # rounding outward may add up to 2 px: give it back from the context, never from the box
    for lo, hi, limit in ((0, 2, math.floor((1 + 2 * context) * w)), (1, 3, math.floor((1 + 2 * context) * h))):
        excess = crop[hi] - crop[lo] - max(limit, inner[hi] - inner[lo])
        take = min(max(excess, 0), crop[hi] - inner[hi])
        crop[hi] -= take
        crop[lo] += min(max(excess - take, 0), inner[lo] - crop[lo])
    return np.array(crop, dtype=np.int64)


def sample_negative_boxes(gt_boxes: np.ndarray, sizes: Sequence[Tuple[int, int]], num: int,
                          img_w: int, img_h: int, rng: np.random.Generator,
                          min_size: float = 1) -> List[np.ndarray]:
    """Random whole-pixel boxes with IoU = 0 to every ground-truth box.

    Each negative takes a (w, h) from ``sizes`` (the image's positives, so negatives are sized
    like them), tries random positions, and shrinks when nothing fits, never below ``min_size``
    px either way. Fewer than ``num`` come back when the background has no room.
    """
    boxes = []
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    for _ in range(num):
        w, h = sizes[int(rng.integers(len(sizes)))]
        found = None
        for _shrink in range(NEGATIVE_SHRINKS + 1):
            w, h = min(int(w), img_w), min(int(h), img_h)
            if w < max(min_size, 1) or h < max(min_size, 1):
                break
            xs = rng.integers(0, img_w - w + 1, NEGATIVE_TRIES_PER_SIZE)
            ys = rng.integers(0, img_h - h + 1, NEGATIVE_TRIES_PER_SIZE)
            for x, y in zip(xs, ys):
                candidate = np.array([x, y, x + w, y + h], dtype=np.int64)
                if not intersection_areas(candidate, gt_boxes).any():
                    found = candidate
                    break
            if found is not None:
                break
            w, h = w * NEGATIVE_SHRINK_FACTOR, h * NEGATIVE_SHRINK_FACTOR
        if found is not None:
            boxes.append(found)
    return boxes


def usable_boxes(gt_boxes: np.ndarray, gt_ignore: np.ndarray, min_size: float) -> np.ndarray:
    """(N,) bool: boxes that become positives (not crowd, at least ``min_size`` px each way)."""
    boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    big = (boxes[:, 2] - boxes[:, 0] >= min_size) & (boxes[:, 3] - boxes[:, 1] >= min_size)
    return big & ~np.asarray(gt_ignore, dtype=bool)


def negative_quotas(positives_per_image: Sequence[int], neg_ratio: float) -> np.ndarray:
    """Negatives per image so that every prefix of the images, and the whole dataset, holds
    ``floor(neg_ratio * positives)`` negatives: the ratio is exact, not only in expectation."""
    cumulative = np.floor(np.cumsum(positives_per_image) * neg_ratio + 1e-9).astype(np.int64)
    return np.diff(cumulative, prepend=0)


def extract_image_samples(gt_boxes: np.ndarray, gt_labels: np.ndarray, gt_ignore: np.ndarray,
                          img_w: int, img_h: int, num_classes: int, rng: np.random.Generator,
                          neg_ratio: float = 0.1, min_size: float = 4, context: float = 0.5,
                          num_negatives: Optional[int] = None) -> Tuple[List[Sample], Counter]:
    """All samples of one image: a positive per usable box, then about ``neg_ratio`` negatives each.

    Args:
        gt_boxes: (N, 4) float boxes, clipped to the image.
        gt_labels: (N,) 0-based category indices.
        gt_ignore: (N,) bool, crowd boxes (skipped as positives, still avoided by negatives).
        neg_ratio: negatives per positive (docs/method.md: 10 : 1, so 0.1); the count per image is
            rounded at random so that the expected ratio is exact.
        min_size: boxes narrower or lower than this (px) are skipped; no negative is smaller.
        context: largest context added to each side of a positive, as a fraction of its size
            (see :func:`enlarge_box`; the paper: 0.5).
        num_negatives: the image's exact number of negatives instead (see :func:`negative_quotas`).
    Returns:
        The samples (positives first) and skip counts by reason (``crowd``, ``tiny``,
        ``no_background`` for negatives that found no room).
    """
    usable = usable_boxes(gt_boxes, gt_ignore, min_size)
    skips = Counter(crowd=int(np.sum(gt_ignore)), tiny=int(np.sum(~usable & ~np.asarray(gt_ignore, bool))))
    samples = []
    for box, label in zip(gt_boxes[usable], gt_labels[usable]):
        crop = enlarge_box(box, img_w, img_h, rng, context)
        samples.append(Sample(crop, int(label), aspect_group(crop[2] - crop[0], crop[3] - crop[1]),
                              np.asarray(box, dtype=np.float64)))
    if not samples:
        return samples, skips
    if num_negatives is None:
        num_negatives = int(math.floor(len(samples) * neg_ratio + rng.random()))
    sizes = [(s.crop_box[2] - s.crop_box[0], s.crop_box[3] - s.crop_box[1]) for s in samples]
    negatives = sample_negative_boxes(gt_boxes, sizes, num_negatives, img_w, img_h, rng, min_size)
    skips['no_background'] += num_negatives - len(negatives)
    for crop in negatives:
        samples.append(Sample(crop, num_classes, aspect_group(crop[2] - crop[0], crop[3] - crop[1]), None))
    return samples, skips
