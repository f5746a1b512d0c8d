"""Montage pipeline throughput against an ImageNet-style pipeline over the same source images.

    python tools/analysis_tools/benchmark_pipeline.py --store data/demo/store_train [--seconds 10] \
        [--workers 1] [--batch-size 256]

Both pipelines run in a DataLoader with --workers processes (0: in the main process), collate
batches of --batch-size, and are timed for about --seconds each after one warm-up batch. Rates are
divided by max(1, workers) for a per-core figure. The last line is JSON.
"""
import argparse
import json
import os.path as osp
import time

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset

from mmjigsaw.datasets import MontageDataset, SampleStore, montage_collate
from mmjigsaw.datasets.coco import load_coco_detection
from mmjigsaw.utils import read_image_rgb, run_cli

MONTAGE_PIPELINE = [dict(type='JigsawAssemble', template=dict(canvas=224, cut=64), scale=(0.8, 1.5),
                         flip_prob=0.5), dict(type='PackJigsawInputs')]


class ImageNetStyleDataset(Dataset):
    """Decode a full image, RandomResizedCrop to 224 (scale 0.08-1, ratio 3/4-4/3), flip 0.5."""

    def __init__(self, paths, size=224):
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


def measure(dataset, workers: int, batch_size: int, seconds: float) -> float:
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--store', required=True, help='sample store')
    parser.add_argument('--seconds', type=float, default=10, help='timing per pipeline')
    parser.add_argument('--workers', type=int, default=1, help='DataLoader worker processes')
    parser.add_argument('--batch-size', type=int, default=256)
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    store = SampleStore(args.store)
    _, images, _ = load_coco_detection(store.source['ann_file'])
    paths = [osp.join(store.source['img_dir'], im.file_name) for im in images]
    montages = MontageDataset(args.store, MONTAGE_PIPELINE, num_montages=1 << 30)
    cores = max(1, args.workers)
    montage_rate = measure(montages, args.workers, args.batch_size, args.seconds) / cores
    print(f'montage pipeline:       {montage_rate:8.0f} montages/s per core ({args.workers} workers)')
    imagenet_rate = measure(ImageNetStyleDataset(paths), args.workers, args.batch_size, args.seconds) / cores
    print(f'ImageNet-style pipeline: {imagenet_rate:8.0f} images/s per core ({args.workers} workers)')
    print(json.dumps(dict(montage_per_s_per_core=round(montage_rate, 1),
                          imagenet_style_per_s_per_core=round(imagenet_rate, 1),
                          ratio=round(montage_rate / imagenet_rate, 2))))


if __name__ == '__main__':
    run_cli(main)
