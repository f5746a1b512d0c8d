r"""Extract positive and negative samples of a COCO-format dataset into a sample store.

    python tools/extract_samples.py --ann data/demo/annotations/instances_train.json \
        --img-dir data/demo/train --out data/demo/store_train [--neg-ratio 0.1] [--workers 2] \
        [--seed 0] [--min-size 4] [--context 0.5] [--format jpeg] [--quality 90]

The store appears under --out only when complete: an interrupted run leaves at most a
`<out>.incomplete` folder, which the next run replaces. The same data and seed give the same
store, whatever --workers. --format raw keeps the crops' RGB bytes as they are; jpeg (the default)
compresses them (README, "Sample store format").
"""
import argparse
import json
import time

from mmjigsaw.apis import run_cli
from mmjigsaw.datasets import CROP_FORMATS, CropCodec, SampleStore, build_sample_store


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--ann', required=True, help='COCO-format annotation file')
    parser.add_argument('--img-dir', required=True, help='folder of the images')
    parser.add_argument('--out', required=True, help='store folder to create')
    parser.add_argument('--neg-ratio', type=float, default=0.1,
                        help='negatives per positive (paper: 10 : 1, so 0.1)')
    parser.add_argument('--workers', type=int, default=1, help='worker processes')
    parser.add_argument('--seed', type=int, default=0, help='seed of every random choice')
    parser.add_argument('--min-size', type=float, default=4, help='skip boxes smaller than this (px)')
    parser.add_argument('--context', type=float, default=0.5,
                        help='largest context added to each side of a positive, as a fraction of the box '
                             '(paper: 0.5, i.e. U(0, w/2); 0: the bare box)')
    parser.add_argument('--format', default=CropCodec().format, choices=CROP_FORMATS, help='how crops are stored')
    parser.add_argument('--quality', type=int, default=None,
                        help=f'JPEG quality 1-100 (default {CropCodec("jpeg").quality}; jpeg only)')
    return parser.parse_args()


def main():
    args = parse_args()
    start = time.time()
    summary = build_sample_store(args.ann, args.img_dir, args.out, neg_ratio=args.neg_ratio,
                                 workers=args.workers, seed=args.seed, min_size=args.min_size,
                                 context=args.context, fmt=args.format, quality=args.quality)
    print(f'images {summary["images"]}, positives {summary["positives"]}, negatives {summary["negatives"]} '
          f'({summary["negative_ratio"]:.3f} per positive, asked {args.neg_ratio:g}) in {time.time() - start:.1f} s')
    print(f'skips:     {json.dumps(summary["skips"])}')
    print(f'per group: {json.dumps(summary["per_group"])}')
    print(f'per class: {json.dumps(summary["per_class"])}')
    for error in summary['unreadable_files']:
        print(f'skipped: {error}')
    empty = [name for name, count in summary['per_class'].items() if count == 0]
    if empty:
        print(f'warning: no samples of {", ".join(empty)}: the pre-training never sees these classes')
    store = SampleStore(args.out)
    print(f'wrote {args.out} ({store.codec.describe()}: {store.disk_bytes / 1e6:.1f} MB, '
          f'{store.disk_bytes / len(store) / 1e3:.1f} kB per sample)')


if __name__ == '__main__':
    run_cli(main)
