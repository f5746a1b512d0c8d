"""COCO box AP at full precision, from per-image matches that can be re-weighted (a bootstrap).

mmdet's ``CocoMetric`` rounds AP to 3 decimals, which gives two runs of a small study equal values
by rounding alone. Here pycocotools matches a run's saved detections (``CocoMetric(outfile_prefix=...)``
writes ``<prefix>.bbox.json``) image by image, the matches are kept compactly, and AP@[.5:.95] is
accumulated from them exactly as ``COCOeval.accumulate`` does (area 'all', 100 detections per image):
on all images it equals pycocotools' own ``stats[0]``; on a resampled set of images (with repeats) it
is the AP of that set, so two runs on the same val images can be compared by a paired bootstrap.
"""
import contextlib
import io
from dataclasses import dataclass
from typing import Optional, Sequence

import numpy as np

#: COCOeval's IoU thresholds (.5:.05:.95) and 101 recall points
IOU_THRESHOLDS = np.linspace(.5, .95, 10)
RECALL_POINTS = np.linspace(.0, 1.00, 101)
MAX_DETS = 100


@dataclass
class ImageMatches:
    """The matches of every (image, category) with boxes or detections, flattened.

    ``entry_image`` / ``entry_category`` (E,) name each entry, ``entry_gts`` (E,) its ground-truth
    boxes that count (not crowd), ``entry_start`` (E + 1,) where its detections start in the arrays
    below: ``scores`` (D,), ``matched`` (T, D) and ``ignored`` (T, D) booleans per IoU threshold.
    """
    image_ids: np.ndarray
    entry_image: np.ndarray
    entry_category: np.ndarray
    entry_gts: np.ndarray
    entry_start: np.ndarray
    scores: np.ndarray
    matched: np.ndarray
    ignored: np.ndarray

    def save(self, path: str) -> None:
        np.savez_compressed(path, **{k: getattr(self, k) for k in self.__dataclass_fields__})

    @classmethod
    def load(cls, path: str) -> 'ImageMatches':
        with np.load(path) as data:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def match_detections(ann_file: str, detections: str) -> ImageMatches:
    """pycocotools' per-image matching of a COCO results file against the annotation file (quietly)."""
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO(ann_file)
        dt = gt.loadRes(detections)
        evaluator = COCOeval(gt, dt, 'bbox')
        evaluator.params.areaRng, evaluator.params.areaRngLbl = [evaluator.params.areaRng[0]], ['all']
        evaluator.params.maxDets = [MAX_DETS]
        evaluator.evaluate()
    image_ids = np.asarray(evaluator.params.imgIds)
    image_index = {img: i for i, img in enumerate(image_ids)}
    entries = [e for e in evaluator.evalImgs if e is not None]
    starts = np.cumsum([0] + [len(e['dtScores']) for e in entries])
    threshold_rows = len(IOU_THRESHOLDS)
    return ImageMatches(
        image_ids=image_ids,
        entry_image=np.array([image_index[e['image_id']] for e in entries], np.int32),
        entry_category=np.array([e['category_id'] for e in entries], np.int32),
        entry_gts=np.array([int((np.asarray(e['gtIgnore']) == 0).sum()) for e in entries], np.int32),
        entry_start=starts.astype(np.int64),
        scores=np.concatenate([np.asarray(e['dtScores'], np.float64) for e in entries] or [np.zeros(0)]),
        matched=np.concatenate([np.asarray(e['dtMatches']).reshape(threshold_rows, -1) > 0 for e in entries]
                               or [np.zeros((threshold_rows, 0), bool)], axis=1),
        ignored=np.concatenate([np.asarray(e['dtIgnore']).reshape(threshold_rows, -1).astype(bool)
                                for e in entries] or [np.zeros((threshold_rows, 0), bool)], axis=1))


def box_ap(matches: ImageMatches, image_counts: Optional[Sequence[int]] = None) -> float:
    """AP@[.5:.95] (COCO's ``stats[0]``) of the images, each counted ``image_counts[i]`` times (all
    once by default; a bootstrap draws them with repeats). -1 when no category has a box."""
    counts = np.ones(len(matches.image_ids), int) if image_counts is None else np.asarray(image_counts)
    per_category = []
    for category in np.unique(matches.entry_category):
        entries = np.flatnonzero(matches.entry_category == category)
        repeats = counts[matches.entry_image[entries]]
        gts = int((matches.entry_gts[entries] * repeats).sum())
        if gts == 0:
            continue
        columns = np.concatenate([np.tile(np.arange(matches.entry_start[e], matches.entry_start[e + 1]), r)
                                  for e, r in zip(entries, repeats)] or [np.zeros(0, int)])
        order = np.argsort(-matches.scores[columns], kind='mergesort')
        columns = columns[order]
        tps = np.cumsum(matches.matched[:, columns] & ~matches.ignored[:, columns], axis=1, dtype=np.float64)
        fps = np.cumsum(~matches.matched[:, columns] & ~matches.ignored[:, columns], axis=1, dtype=np.float64)
        for tp, fp in zip(tps, fps):
            per_category.append(_interpolated_precision(tp, fp, gts).mean())
    return float(np.mean(per_category)) if per_category else -1.0


def _interpolated_precision(tp: np.ndarray, fp: np.ndarray, gts: int) -> np.ndarray:
    """COCOeval.accumulate's precision at the 101 recall points for one category and IoU threshold."""
    precision = np.zeros(len(RECALL_POINTS))
    if not len(tp):
        return precision
    recall = tp / gts
    pr = tp / (fp + tp + np.spacing(1))
    pr = np.maximum.accumulate(pr[::-1])[::-1]  # precision made monotone from the right
    found = np.searchsorted(recall, RECALL_POINTS, side='left')
    valid = found < len(pr)
    precision[valid] = pr[found[valid]]
    return precision


def paired_bootstrap(a: ImageMatches, b: ImageMatches, samples: int = 1000, seed: int = 0) -> np.ndarray:
    """AP(a) - AP(b) on ``samples`` resamples of the val images with repeats, the same draw for both
    runs (they must have matched the same images). Returns the (samples,) differences."""
    if not np.array_equal(a.image_ids, b.image_ids):
        raise ValueError('paired bootstrap: the two runs were evaluated on different images.')
    rng = np.random.default_rng(seed)
    n = len(a.image_ids)
    draws = (np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(samples))
    return np.array([box_ap(a, counts) - box_ap(b, counts) for counts in draws])
