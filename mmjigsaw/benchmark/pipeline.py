"""How fast montages come out of a sample store, against an ImageNet-style pipeline, and how far a
store's montages are from another format's (``tools/analysis_tools/benchmark_pipeline.py``)."""
import os.path as osp
import time
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Sequence

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from mmjigsaw.datasets import MontageDataset, SampleStore, load_coco_detection, montage_collate
from mmjigsaw.errors import DataError
from mmjigsaw.utils import read_image_rgb

MONTAGE_PIPELINE = [dict(type='JigsawAssemble', template=dict(canvas=224, cut=64), scale=(0.8, 1.5),
                         flip_prob=0.5), dict(type='PackJigsawInputs')]


class ImageNetStyleDataset(Dataset):
    """Decode a full image, RandomResizedCrop to 224 (scale 0.08-1, ratio 3/4-4/3), flip 0.5."""

    def __init__(self, paths: Sequence[str], size: int = 224):
        self.paths, self.size = paths, size

    def __len__(self):
        return 1 << 30

    def __getitem__(self, index):
        rng = np.random.default_rng(index)
        img = read_image_rgb(self.paths[index % len(self.paths)])
        h, w = img.shape[:2]
        for _ in range(10):
            area = h * w * rng.uniform(0.08, 1.0)
            ratio = np.exp(rng.uniform(np.log(3 / 4), np.log(4 / 3)))
            cw, ch = int(round(np.sqrt(area * ratio))), int(round(np.sqrt(area / ratio)))
            if 0 < cw <= w and 0 < ch <= h:
                break
        else:
            cw, ch = min(h, w), min(h, w)
        x, y = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        crop = cv2.resize(img[y:y + ch, x:x + cw], (self.size, self.size), interpolation=cv2.INTER_LINEAR)
        if rng.random() < 0.5:
            crop = crop[:, ::-1]
        return dict(inputs=torch.from_numpy(np.ascontiguousarray(crop.transpose(2, 0, 1))), data_samples=None)


@contextmanager
def one_thread():
    """torch and OpenCV on one thread inside the block (a per-core figure), as they were after it."""
    torch_threads, cv2_threads = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    try:
        yield
    finally:
        torch.set_num_threads(torch_threads)
        cv2.setNumThreads(cv2_threads)


def measure(dataset: Dataset, workers: int, batch_size: int, seconds: float) -> float:
    """Items per second through a shuffling DataLoader, after one warm-up batch."""
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=workers, collate_fn=montage_collate,
                        sampler=torch.utils.data.RandomSampler(dataset, replacement=True, num_samples=1 << 30),
                        persistent_workers=False, prefetch_factor=4 if workers else None)
    it = iter(loader)
    next(it)
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        count += len(next(it)['inputs'])
    rate = count / (time.perf_counter() - start)
    del it
    return rate


def source_image_paths(store: SampleStore) -> List[str]:
    """The paths of the images the store was extracted from (its ``source``)."""
    _, images, _ = load_coco_detection(store.source['ann_file'])
    return [osp.join(store.source['img_dir'], im.file_name) for im in images]


def store_summary(path: str) -> Dict:
    """A store's format, samples, bytes (all its files), bytes per sample and size relative to its
    source images (their files, as on disk)."""
    store = SampleStore(path)
    source_bytes = sum(osp.getsize(p) for p in source_image_paths(store) if osp.isfile(p))
    return dict(store=path, format=store.codec.describe(), samples=len(store), disk_bytes=store.disk_bytes,
                bytes_per_sample=round(store.disk_bytes / len(store)),
                store_to_source=round(store.disk_bytes / source_bytes, 3))


def montage_difference(store: str, reference: str, num: int = 200) -> float:
    """Mean absolute difference (grey levels) of montages 0..num-1 drawn from two stores of the same
    samples.

    Raises:
        DataError: the stores do not hold the same samples (other data, seed or options).
    """
    a, b = MontageDataset(store, MONTAGE_PIPELINE), MontageDataset(reference, MONTAGE_PIPELINE)
    for field in ('crop_box', 'label', 'group'):
        if not np.array_equal(a.store.index[field], b.store.index[field]):
            raise DataError(f'{store} and {reference} hold different samples ({field}): extract both '
                            'from the same data with the same seed and options.')
    diffs = [np.abs(a[i]['inputs'].numpy().astype(np.int16) - b[i]['inputs'].numpy()).mean()
             for i in tqdm(range(num), desc='montage difference', unit='montage', mininterval=1.0)]
    return float(np.mean(diffs))


def pipeline_rates(store: str, workers: Sequence[int] = (0, 1, 2), batch_size: int = 256, seconds: float = 10,
                   imagenet: bool = True) -> Iterator[Dict]:
    """For each worker count W, one row: montages/s per core of the store's montage pipeline in a
    DataLoader with W processes (0: in the main process), and with ``imagenet`` the ImageNet-style
    pipeline's rate on the store's source images and the ratio of the two; rates are divided by
    max(1, W). Rows come as they are measured (about ``seconds`` per pipeline and W)."""
    montages = MontageDataset(store, MONTAGE_PIPELINE, num_montages=1 << 30)
    paths: Optional[List[str]] = source_image_paths(montages.store) if imagenet else None
    for w in workers:
        cores = max(1, w)
        row = dict(workers=w, montage_per_s_per_core=round(measure(montages, w, batch_size, seconds) / cores, 1))
        if imagenet:
            row['imagenet_style_per_s_per_core'] = round(
                measure(ImageNetStyleDataset(paths), w, batch_size, seconds) / cores, 1)
            # the ratio of the two rates as the row shows them, so that its numbers agree with each other
            row['ratio'] = round(row['montage_per_s_per_core'] / row['imagenet_style_per_s_per_core'], 2)
        yield row
