r"""Memory at scale: a store of a million small crops opens in seconds, and workers share its index.

    python .dev_scripts/benchmark_store_memory.py --out work_dirs/store_1m [--samples 1000000] \
        [--format jpeg] [--workers 2] [--montages 5000] [--batch-size 64] [--every 10]

1. Writes a store of --samples crops, 8-32 px a side, cut at random from four demo scenes, through
   SampleStoreWriter as the extraction would (no source images needed; --out is replaced), and
   flushes it to disk (os.sync).
2. Times opening it (SampleStore: metadata, index checksum, index load) and building a
   MontageDataset on it (group pools), and gives the index's size in memory.
3. Iterates a training DataLoader (--workers processes, montage_collate) over --montages montages
   and samples, every --every batches, each worker's resident memory (VmRSS), the part of it that
   is file pages (RssFile: mostly the memory-mapped crops it has read, i.e. the page cache, shared
   by every process and bounded by the store's size) and its private dirty memory (Private_Dirty of
   /proc/PID/smaps_rollup): what the worker wrote or copied. Pages shared copy-on-write with the
   main process (the index) count in RSS but not as private dirty; a worker that copied the index
   would grow by the index's size there. The figure is each worker's private dirty growth from the
   first sample to the last.

The last line is JSON.
"""
import argparse
import json
import math
import os
import shutil
import time
from typing import Dict

import numpy as np
import torch
from torch.utils.data import DataLoader
from tqdm import tqdm

from mmjigsaw.apis import register_all_modules, run_cli
from mmjigsaw.datasets import (CROP_FORMATS, DEMO_CATEGORIES, CropCodec, MontageDataset, SampleStore, SampleStoreWriter,
                               montage_collate, render_scene)
from mmjigsaw.structures import aspect_group

PIPELINE = [dict(type='JigsawAssemble', template=dict(canvas=224, cut=64)), dict(type='PackJigsawInputs')]
CROP_SIDES = (8, 32)  # px, each side, uniform


def write_small_store(folder: str, num: int, codec: CropCodec, seed: int = 0) -> None:
    """A store of ``num`` random small crops of four rendered scenes (labels uniform, background
    included)."""
    rng = np.random.default_rng(seed)
    scenes = [render_scene(rng)[0] for _ in range(4)]
    num_classes = len(DEMO_CATEGORIES)
    shutil.rmtree(folder, ignore_errors=True)
    writer = SampleStoreWriter(folder, codec)
    sides = rng.integers(CROP_SIDES[0], CROP_SIDES[1] + 1, (num, 2))
    for i in tqdm(range(num), desc='writing', unit='sample', mininterval=1.0, unit_scale=True):
        scene_id = i % len(scenes)
        scene = scenes[scene_id]
        w, h = (int(v) for v in sides[i])
        x, y = int(rng.integers(0, scene.shape[1] - w)), int(rng.integers(0, scene.shape[0] - h))
        box = [x, y, x + w, y + h]
        label = int(rng.integers(num_classes + 1))
        writer.add(codec.encode(scene[y:y + h, x:x + w]), label, aspect_group(w, h), scene_id, box,
                   None if label == num_classes else box)
    writer.close([c.name for c in DEMO_CATEGORIES], dict(ann_file='', img_dir=''), dict(generated=num))


def memory_mb(pid: int) -> Dict[str, float]:
    """Resident memory, its file pages and private dirty memory (MB) of one process, from /proc."""
    with open(f'/proc/{pid}/status') as f:
        status = {line.split(':')[0]: line.split()[1] for line in f if line.startswith(('VmRSS:', 'RssFile:'))}
    with open(f'/proc/{pid}/smaps_rollup') as f:
        for line in f:
            if line.startswith('Private_Dirty:'):
                private = int(line.split()[1])
    return dict(rss=int(status['VmRSS']) / 1024, rss_file=int(status['RssFile']) / 1024, private_dirty=private / 1024)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', required=True, help='store folder to write (replaced)')
    parser.add_argument('--samples', type=int, default=1_000_000)
    parser.add_argument('--format', default=CropCodec().format, choices=CROP_FORMATS)
    parser.add_argument('--workers', type=int, default=2, help='DataLoader worker processes (at least 1)')
    parser.add_argument('--montages', type=int, default=5000, help='montages to iterate')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--every', type=int, default=10, help='sample memory every N batches')
    return parser.parse_args()


def main():
    args = parse_args()
    register_all_modules()
    torch.set_num_threads(1)
    start = time.perf_counter()
    write_small_store(args.out, args.samples, CropCodec(args.format))
    write_s = time.perf_counter() - start
    # Flush the new store to disk: a page-cache page still dirty from the writing counts as Private_Dirty
    # in a worker that maps it (until the kernel writes it back, about 30 s later): it would look like a copy.
    os.sync()
    start = time.perf_counter()
    store = SampleStore(args.out)
    open_s = time.perf_counter() - start
    start = time.perf_counter()
    num_batches = math.ceil(args.montages / args.batch_size)
    dataset = MontageDataset(args.out, PIPELINE, num_montages=num_batches * args.batch_size)
    dataset_s = time.perf_counter() - start
    index_mb = store.index.nbytes / 2 ** 20
    print(f'{len(store):,} samples ({store.codec.describe()}, {store.disk_bytes / 1e6:.0f} MB) written in '
          f'{write_s:.0f} s; SampleStore opens in {open_s:.2f} s, MontageDataset in {dataset_s:.2f} s; '
          f'index {index_mb:.0f} MB in memory')
    loader = DataLoader(dataset, batch_size=args.batch_size, num_workers=args.workers, collate_fn=montage_collate)
    it = iter(loader)
    pids = [w.pid for w in it._workers]  # the iterator's worker processes (torch keeps them there)
    samples = []
    for batch in tqdm(range(1, num_batches + 1), desc='iterating', unit='batch', mininterval=1.0):
        next(it)
        if batch % args.every == 0 or batch in (1, num_batches):
            samples.append((batch * args.batch_size, [memory_mb(pid) for pid in pids]))
    print(f'{"montages":>9} ' + ' '.join(f'{f"worker {k} RSS":>13} {"of it files":>11} {"private dirty":>13}'
                                         for k in range(len(pids))))
    for montages, mem in samples:
        print(f'{montages:9d} ' + ' '.join(f'{m["rss"]:10.0f} MB {m["rss_file"]:8.0f} MB {m["private_dirty"]:10.0f} MB'
                                           for m in mem))
    growth = [round(last['private_dirty'] - first['private_dirty'], 1)
              for first, last in zip(samples[0][1], samples[-1][1])]
    print(f'private dirty memory growth per worker over {samples[-1][0]:,} montages: {growth} MB '
          f'(a copy of the index would be {index_mb:.0f} MB)')
    print(json.dumps(dict(samples=len(store), format=store.codec.describe(), store_mb=round(store.disk_bytes / 1e6),
                          write_s=round(write_s, 1), open_s=round(open_s, 3), dataset_s=round(dataset_s, 3),
                          index_mb=round(index_mb, 1), workers=args.workers, montages=samples[-1][0],
                          worker_rss_mb=[[round(m['rss']) for m in mem] for _, mem in samples],
                          worker_rss_file_mb=[[round(m['rss_file']) for m in mem] for _, mem in samples],
                          worker_private_dirty_mb=[[round(m['private_dirty'], 1) for m in mem] for _, mem in samples],
                          private_dirty_growth_mb=growth)))


if __name__ == '__main__':
    run_cli(main)
