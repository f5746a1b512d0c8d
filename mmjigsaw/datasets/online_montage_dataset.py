"""Montages extracted on the fly from detection images, without an offline store.

Slower than :class:`MontageDataset` (every montage decodes several full images; docs/method.md §7:
about 6 ms against 0.15 ms a montage on one core), but needs no extraction step.
"""
import os.path as osp
import warnings
from collections import Counter, defaultdict
from typing import Dict, Optional, Sequence

import numpy as np
from torch.utils.data import Dataset

from mmjigsaw.errors import ConfigError, DataError
from mmjigsaw.registry import DATASETS
from mmjigsaw.structures import ASPECT_GROUPS, MontageTemplate, aspect_group
from mmjigsaw.utils import read_image_rgb
from .coco import load_coco_detection
from .montage_dataset import build_pipeline, choose_montage_samples, resolve_group_sources, warn_about_groups
from .sample_extraction import usable_boxes
from .transforms import PosNegExtract


@DATASETS.register_module()
class OnlineMontageDataset(Dataset):
    """Each item decodes random images, extracts their samples with ``extract_pipeline`` (ending in
    ``PosNegExtract``) and tiles 2 S + 1 T + 1 W of them with ``pipeline``.

    Images are drawn until every group has a sample or ``max_images`` were read; a group still
    missing then borrows from another one (as in :class:`MontageDataset`), and the two S samples
    are different ones whenever the images gave two. An aspect group that is empty or tiny over the
    whole annotation file (counted on the boxes ``PosNegExtract`` keeps: not crowd, at least its
    ``min_size``) is warned about once, as offline. An image that cannot be read is skipped with one
    warning and counted in ``unreadable``. Item ``i`` is a pure function of ``(seed, i)``.

    Args:
        ann_file: COCO-format annotation file.
        img_dir: folder of its images.
        extract_pipeline: transforms applied to each image's
            ``dict(img, gt_bboxes, gt_bboxes_labels, gt_ignore_flags, rng)``.
        pipeline: the montage pipeline, as for :class:`MontageDataset`.
        num_montages: length; by default one montage per image.
        max_images: images read at most for one montage.
        seed: seed of the montages.
    """

    def __init__(self, ann_file: str, img_dir: str, extract_pipeline: Sequence[Dict],
                 pipeline: Sequence[Dict], num_montages: Optional[int] = None, max_images: int = 8,
                 seed: int = 0):
        self.classes, images, _ = load_coco_detection(ann_file)
        self.images = [im for im in images if len(im.boxes)]
        if not self.images:
            raise DataError(f'{ann_file}: no image has a usable box.')
        self.img_dir = img_dir
        self.extract_pipeline = build_pipeline(extract_pipeline)
        extractor = next((t for t in self.extract_pipeline.transforms if isinstance(t, PosNegExtract)), None)
        if extractor is None:
            raise ConfigError(f'OnlineMontageDataset: extract_pipeline {extract_pipeline} has no PosNegExtract, '
                              'the transform that cuts the samples.')
        min_size = extractor.min_size
        counts = Counter(aspect_group(x2 - x1, y2 - y1) for im in self.images
                         for x1, y1, x2, y2 in im.boxes[usable_boxes(im.boxes, im.ignore, min_size)])
        counts = {g: counts[g] for g in ASPECT_GROUPS}
        warn_about_groups(counts, resolve_group_sources(counts), ann_file)
        self.pipeline = build_pipeline(pipeline)
        self.num_montages = num_montages or len(self.images)
        self.max_images = max_images
        self.seed = seed
        self.unreadable: Counter = Counter()  # per process: file name -> skips

    @property
    def metainfo(self) -> Dict:
        return dict(classes=self.classes + ['background'])

    def __len__(self) -> int:
        return self.num_montages

    def draw(self, index: int) -> Dict:
        rng = np.random.default_rng([self.seed, index])
        pools = defaultdict(list)
        for _ in range(self.max_images):
            image = self.images[int(rng.integers(len(self.images)))]
            img = self._read(image.file_name)
            if img is None:
                continue
            results = self.extract_pipeline(dict(
                img=img, gt_bboxes=image.boxes, gt_bboxes_labels=image.labels, gt_ignore_flags=image.ignore,
                rng=rng))
            for sample in results['samples']:
                pools[sample['group']].append(sample)
            if all(len(pools[g]) >= MontageTemplate.SAMPLE_GROUPS.count(g) for g in ASPECT_GROUPS):
                break
        if not any(pools.values()):
            raise DataError(f'{self.img_dir}: {self.max_images} images drawn for montage {index} gave no '
                            f'sample (unreadable: {sorted(self.unreadable)[:5]}); check the images.')
        sources = resolve_group_sources({g: len(pools[g]) for g in ASPECT_GROUPS})
        return dict(samples=choose_montage_samples(pools, sources, rng), rng=rng)

    def _read(self, file_name: str) -> Optional[np.ndarray]:
        """The image, or None (warned once per file, counted in ``unreadable``) if it cannot be read."""
        try:
            return read_image_rgb(osp.join(self.img_dir, file_name))
        except DataError as err:
            if file_name not in self.unreadable:
                warnings.warn(f'skipping an unreadable image: {err}')
            self.unreadable[file_name] += 1
            return None

    def __getitem__(self, index: int) -> Dict:
        return self.pipeline(self.draw(index))
