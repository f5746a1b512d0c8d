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

from mmjigsaw.apis import run_cli
from mmjigsaw.benchmark import montage_difference, one_thread, pipeline_rates, store_summary


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
    with one_thread():
        result = store_summary(args.store)
        disk_bytes = result.pop('disk_bytes')
        print(f'store: {result["format"]}, {result["samples"]} samples, {disk_bytes / 1e6:.1f} MB, '
              f'{result["bytes_per_sample"]} bytes per sample, {result["store_to_source"]}x its source images')
        if args.reference:
            result['montage_mean_abs_diff'] = round(montage_difference(args.store, args.reference, args.montages), 3)
            print(f'montages differ from {args.reference} by {result["montage_mean_abs_diff"]} grey levels on '
                  f'average (first {args.montages})')
        result['rates'] = []
        print(f'{"workers":>7} {"montages/s per core":>20} {"ImageNet-style/s per core":>26} {"ratio":>6}')
        for row in pipeline_rates(args.store, args.workers, args.batch_size, args.seconds, not args.skip_imagenet):
            result['rates'].append(row)
            print(f'{row["workers"]:7d} {row["montage_per_s_per_core"]:20.0f} '
                  f'{row.get("imagenet_style_per_s_per_core", float("nan")):26.0f} '
                  f'{row.get("ratio", float("nan")):6.2f}', flush=True)
    print(json.dumps(result))


if __name__ == '__main__':
    run_cli(main)
