r"""Curves of training runs as a PNG, from mmengine's JSON logs (pre-training and fine-tuning alike).

    python tools/analysis_tools/analyze_logs.py plot_curve LOG [LOG ...] [--keys loss lr ...] \
        [--legend NAME ...] [--title TITLE] --out curves.png

LOG is a run's ``<work_dir>/<timestamp>/vis_data/scalars.json`` (or the ``<timestamp>.json``
beside it), or a work dir (its newest run). One panel per key, one line per log. Training keys
(loss, acc_region, lr, erf_own_weight, ...) are drawn against the iteration; evaluation metrics
(coco/bbox_mAP, ...) against the epoch in epoch-based runs and the iteration otherwise. Without
--keys: whichever of the loss, accuracies, lr, ERF statistics and box/mask AP the logs hold.
"""
import argparse

from mmjigsaw.apis import run_cli
from mmjigsaw.errors import DataError
from mmjigsaw.study.curves import default_keys, plot_curves
from mmjigsaw.study.logs import load_json_log, resolve_log


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest='command', required=True)
    plot = commands.add_parser('plot_curve', help='curves of chosen keys as a PNG')
    plot.add_argument('logs', nargs='+', help='vis_data/scalars.json (or <timestamp>.json) files, or work dirs')
    plot.add_argument('--keys', nargs='+', help='keys to plot (default: loss, accuracies, lr, ERF statistics, AP)')
    plot.add_argument('--legend', nargs='+', help='one name per log (default: the work dir names)')
    plot.add_argument('--title', help='figure title')
    plot.add_argument('--out', required=True, help='PNG to write')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.legend and len(args.legend) != len(args.logs):
        raise DataError(f'--legend has {len(args.legend)} names for {len(args.logs)} logs.')
    paths = [resolve_log(p) for p in args.logs]
    logs = [load_json_log(p, name) for p, name in zip(paths, args.legend or [None] * len(paths))]
    keys = args.keys or default_keys(logs)
    if not keys:
        raise DataError('none of the default keys is in the logs; name some with --keys.')
    counts = plot_curves(logs, keys, args.out, args.title)
    for path, log in zip(paths, logs):
        print(f'{log.name}: {path} ({len(log.train)} training and {len(log.evaluation)} evaluation records)')
    print('plotted ' + ', '.join(f'{k} ({n} points)' for k, n in zip(keys, counts)) + f'; wrote {args.out}')


if __name__ == '__main__':
    run_cli(main)
