"""Offline extraction of a COCO-format dataset into a sample store (tools/extract_samples.py).

Work is split by image over worker processes; each image draws from its own generator seeded
with ``(seed, image_id)`` and results are written in file order, so the store's bytes depend on
the data and the seed only, not on the number of workers or on earlier interrupted runs. The store
is built in a temporary folder beside ``out`` and renamed to ``out`` only when complete. Workers
also encode the crops (crop_codec.py), so a compressed store costs the writer nothing.

Negatives: every image has a quota (:func:`negative_quotas`, exact over the dataset). An image whose
background has no room for its quota leaves a shortfall that the following images make up: each
image draws up to ``2 * quota + 1`` candidates, encodes the first ``quota`` and hands the rest over
as pixels; the writer, in file order, keeps as many as the quota plus the shortfall so far ask for,
encoding the spares it needs itself (only after a shortfall, so the encoding work stays that of the
store). The delivered ratio is therefore the configured one wherever the data has background
to spare, whatever the number of workers.
"""
import multiprocessing
import os
import os.path as osp
import shutil
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

import numpy as np
from tqdm import tqdm

from mmjigsaw.errors import ConfigError, DataError
from mmjigsaw.structures import ASPECT_GROUPS
from mmjigsaw.utils import read_image_rgb
from .coco import DetectionImage, load_coco_detection
from .crop_codec import DEFAULT_FORMAT, CropCodec
from .sample_extraction import extract_image_samples, negative_quotas, usable_boxes
from .sample_store import SampleStore, SampleStoreWriter


@dataclass(frozen=True)
class ExtractionParams:
    img_dir: str
    num_classes: int
    min_size: float
    context: float
    seed: int
    codec: CropCodec


def extract_image(image: DetectionImage, params: ExtractionParams,
                  quota: int) -> Tuple[List[tuple], List[tuple], List[tuple], Counter, str]:
    """One image's records: its positives and first ``quota`` negatives encoded by ``params.codec``
    (``(crop bytes, label, group, image_id, crop_box, gt_box)``), up to ``quota + 1`` spare negatives
    with their crops as pixels (:func:`encode_record` when the writer needs them), skip counts, and
    the reason ('' if none) the image itself was skipped."""
    if len(image.boxes) == 0:
        return [], [], [], Counter(image_without_objects=1), ''
    path = osp.join(params.img_dir, image.file_name)
    try:
        img = read_image_rgb(path)
    except DataError as err:
        return [], [], [], Counter(unreadable_image=1), str(err)
    if img.shape[:2] != (image.height, image.width):
        return [], [], [], Counter(unreadable_image=1), (f'{path}: image is {img.shape[1]}x{img.shape[0]}, '
                                                         f'the annotations say {image.width}x{image.height}')
    rng = np.random.default_rng([params.seed, image.image_id])
    samples, sample_skips = extract_image_samples(
        image.boxes, image.labels, image.ignore, image.width, image.height, params.num_classes, rng,
        min_size=params.min_size, context=params.context, num_negatives=2 * quota + 1)
    del sample_skips['no_background']  # the builder counts the negatives it could not deliver
    records = [(img[s.crop_box[1]:s.crop_box[3], s.crop_box[0]:s.crop_box[2]], s.label, s.group, image.image_id,
                s.crop_box, s.gt_box) for s in samples]
    num_pos = sum(s.gt_box is not None for s in samples)
    encoded = [encode_record(r, params.codec) for r in records[:num_pos + quota]]
    return encoded[:num_pos], encoded[num_pos:], records[num_pos + quota:], sample_skips, ''


def encode_record(record: tuple, codec: CropCodec) -> tuple:
    """A record whose crop is (H, W, 3) RGB pixels, with the crop encoded by ``codec``."""
    return (codec.encode(record[0]), *record[1:])


def _extract_star(args):
    return extract_image(*args)


def build_sample_store(ann_file: str, img_dir: str, out: str, neg_ratio: float = 0.1, workers: int = 1,
                       seed: int = 0, min_size: float = 4, context: float = 0.5, fmt: str = DEFAULT_FORMAT,
                       quality: Optional[int] = None) -> Dict:
    """Extract every image of ``ann_file`` into a new store at ``out``, its crops in format ``fmt``
    ('raw' or 'jpeg' at ``quality``, see :class:`CropCodec`).

    Returns:
        The summary: images, positives, negatives, skips by reason, counts per class and group,
        and the first few unreadable files.
    """
    for name, value, low in (('neg_ratio', neg_ratio, 0), ('workers', workers, 1), ('min_size', min_size, 1),
                             ('context', context, 0)):
        if value < low:
            raise ConfigError(f'--{name.replace("_", "-")} {value}: must be at least {low}.')
    codec = CropCodec(fmt, quality)
    classes, images, load_skips = load_coco_detection(ann_file)
    if not images:
        raise DataError(f'{ann_file}: no images listed.')
    if not osp.isdir(img_dir):
        raise DataError(f'--img-dir {img_dir}: no such folder; give the folder that holds the images of {ann_file}.')
    if osp.exists(out):
        raise DataError(f'{out}: already exists; remove it or choose another --out.')
    params = ExtractionParams(osp.abspath(img_dir), len(classes), min_size, context, seed, codec)
    tmp = f'{out}.incomplete'
    shutil.rmtree(tmp, ignore_errors=True)  # left by an interrupted run: start it again
    writer = SampleStoreWriter(tmp, codec)
    skips = Counter(load_skips)
    per_label, per_group = Counter(), Counter()
    unreadable: List[str] = []
    progress = tqdm(total=len(images), desc='extracting', unit='image', mininterval=1.0)
    quotas = negative_quotas([int(usable_boxes(im.boxes, im.ignore, min_size).sum()) for im in images],
                             neg_ratio)
    jobs = ((image, params, int(quota)) for image, quota in zip(images, quotas))
    shortfall = 0  # negatives that earlier images owed and could not cut
    with multiprocessing.get_context('fork').Pool(workers) if workers > 1 else _InProcess() as pool:
        for (positives, negatives, spares, image_skips, error), quota in zip(
                pool.imap(_extract_star, jobs, chunksize=4), quotas):
            skips.update(image_skips)
            if error:
                unreadable.append(error)
            wanted = int(quota) + shortfall if positives else shortfall
            # make up for earlier images (a worker returns at most the image's quota: wanted >= that)
            negatives += [encode_record(r, codec) for r in spares[:wanted - len(negatives)]]
            shortfall = wanted - len(negatives)
            for crop, label, group, image_id, crop_box, gt_box in positives + negatives:
                writer.add(crop, label, group, image_id, crop_box, gt_box)
                per_label[label] += 1
                per_group[group] += 1
            progress.update()
    progress.close()
    if shortfall:
        skips['no_background'] = shortfall
    num_neg = per_label[len(classes)]
    num_pos = sum(per_label.values()) - num_neg
    names = classes + ['background']
    summary = dict(images=len(images), positives=num_pos, negatives=num_neg,
                   negative_ratio=round(num_neg / max(num_pos, 1), 4),
                   skips=dict(sorted(skips.items())),
                   per_class={names[i]: per_label[i] for i in range(len(names))},
                   per_group={g: per_group[g] for g in ASPECT_GROUPS},
                   unreadable_files=unreadable[:20])
    if summary['positives'] == 0:
        shutil.rmtree(tmp, ignore_errors=True)
        first = f'; the first unreadable image: {unreadable[0]}' if unreadable else ''
        raise DataError(f'{ann_file}: no usable positive samples (skips: {summary["skips"]}{first}); '
                        'check the annotations and --img-dir.')
    writer.close(classes, dict(ann_file=osp.abspath(ann_file), img_dir=params.img_dir, seed=seed,
                               neg_ratio=neg_ratio, min_size=min_size, context=context), summary)
    os.replace(tmp, out)
    SampleStore(out)  # opens as complete
    return summary


class _InProcess:
    """The ``Pool`` interface for ``workers=1``: no processes, same results."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def imap(func, iterable, chunksize=1):
        return map(func, iterable)
