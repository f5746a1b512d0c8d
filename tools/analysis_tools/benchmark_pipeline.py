r"""One store format's cost and speed: its size, montages/s per core, against an ImageNet-style pipeline.

    python tools/analysis_tools/benchmark_pipeline.py --store data/demo/store_train_jpeg \
        [--reference data/demo/store_train_raw] [--workers 0 1 2] [--seconds 10] [--batch-size 256] \
        [--montages 200] [--skip-imagenet]

For the store: its format, bytes per sample (all its files) and its size relative to the source
images it was extracted from (their files, as on disk). For each --workers count W: both pipelines
run in a DataLoader with W processes (0: in the main process), collate batches of --batch-size, and
are timed for about --seconds each after one warm-up batch; rates are divided by max(1, W) for a
per-core figure. With --reference (a store of the same data and seed in another format, usually
raw): the mean absolute difference of the first --montages montages (uint8 grey levels, 0-255),
montage i of each store being the same draw. The last line is JSON.
"""
import argparse
import json
import os.path as osp
import time

import cv2
import numpy as np
import torch
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from mmjigsaw.datasets import MontageDataset, SampleStore, load_coco_detection, montage_collate
from mmjigsaw.utils import DataError, read_image_rgb, run_cli

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


def montage_difference(store: str, reference: str, num: int) -> float:
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


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--store', required=True, help='sample store')
    parser.add_argument('--reference', help='the same samples in another format (montage difference)')
    parser.add_argument('--workers', type=int, nargs='+', default=[0, 1, 2], help='DataLoader worker counts')
    parser.add_argument('--seconds', type=float, default=10, help='timing per pipeline and worker count')
    parser.add_argument('--batch-size', type=int, default=256)
    parser.add_argument('--montages', type=int, default=200, help='montages compared with --reference')
    parser.add_argument('--skip-imagenet', action='store_true', help='time the montage pipeline only')
    return parser.parse_args()


def main():
    args = parse_args()
    torch.set_num_threads(1)
    cv2.setNumThreads(1)
    store = SampleStore(args.store)
    _, images, _ = load_coco_detection(store.source['ann_file'])
    paths = [osp.join(store.source['img_dir'], im.file_name) for im in images]
    result = dict(store=args.store, format=store.codec.describe(), samples=len(store),
                  bytes_per_sample=round(store.disk_bytes / len(store)),
                  store_to_source=round(store.disk_bytes / sum(osp.getsize(p) for p in paths if osp.isfile(p)), 3))
    print(f'store: {store.codec.describe()}, {len(store)} samples, {store.disk_bytes / 1e6:.1f} MB, '
          f'{result["bytes_per_sample"]} bytes per sample, {result["store_to_source"]}x its source images')
    if args.reference:
        result['montage_mean_abs_diff'] = round(montage_difference(args.store, args.reference, args.montages), 3)
        print(f'montages differ from {args.reference} by {result["montage_mean_abs_diff"]} grey levels on '
              f'average (first {args.montages})')
    montages = MontageDataset(args.store, MONTAGE_PIPELINE, num_montages=1 << 30)
    result['rates'] = []
    print(f'{"workers":>7} {"montages/s per core":>20} {"ImageNet-style/s per core":>26} {"ratio":>6}')
    for workers in args.workers:
        cores = max(1, workers)
        row = dict(workers=workers,
                   montage_per_s_per_core=round(measure(montages, workers, args.batch_size, args.seconds) / cores, 1))
        if not args.skip_imagenet:
            imagenet = measure(ImageNetStyleDataset(paths), workers, args.batch_size, args.seconds) / cores
            row.update(imagenet_style_per_s_per_core=round(imagenet, 1),
                       ratio=round(row['montage_per_s_per_core'] / imagenet, 2))
        result['rates'].append(row)
        print(f'{workers:7d} {row["montage_per_s_per_core"]:20.0f} '
              f'{row.get("imagenet_style_per_s_per_core", float("nan")):26.0f} {row.get("ratio", float("nan")):6.2f}',
              flush=True)
    print(json.dumps(result))


if __name__ == '__main__':
    run_cli(main)
