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
import glob
import json
import os
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

from matplotlib.figure import Figure

from mmjigsaw.utils import DataError, run_cli

#: Keys plotted without --keys, in this order, where the logs hold them.
DEFAULT_KEY_PATTERNS = (r'loss', r'acc.*', r'lr', r'erf_own_weight', r'erf_own_share', r'.*bbox_mAP',
                        r'.*segm_mAP')
PANEL_INCHES, DPI, MAX_COLS = (5.0, 3.5), 100, 3


@dataclass
class RunLog:
    """The scalars of one run: training records (they carry ``iter``) and evaluation records."""
    name: str
    train: List[Dict] = field(default_factory=list)
    evaluation: List[Dict] = field(default_factory=list)

    @property
    def by_epoch(self) -> bool:
        return any('epoch' in r for r in self.train)

    def keys(self) -> List[str]:
        seen = dict.fromkeys(k for r in self.train + self.evaluation for k in r)
        return [k for k in seen if k not in ('iter', 'epoch', 'step')]

    def curve(self, key: str) -> Tuple[List[float], List[float], str]:
        """(x, y, x label) of ``key``: from the training records if they hold it, else the evaluation ones."""
        if any(key in r for r in self.train):
            points = [(r.get('step', r['iter']), r[key]) for r in self.train if key in r]
            return [p[0] for p in points], [p[1] for p in points], 'iteration'
        points = [(r['step'], r[key]) for r in self.evaluation if key in r]
        return [p[0] for p in points], [p[1] for p in points], 'epoch' if self.by_epoch else 'iteration'


def resolve_log(path: str) -> str:
    """A JSON log file, or the newest ``*/vis_data/scalars.json`` under a work dir."""
    if osp.isdir(path):
        found = sorted(glob.glob(osp.join(path, '*', 'vis_data', 'scalars.json')))
        if not found:
            raise DataError(f'{path}: no <timestamp>/vis_data/scalars.json under this work dir.')
        return found[-1]
    if not osp.isfile(path):
        raise DataError(f'{path}: log file not found.')
    return path


def run_name(path: str) -> str:
    """The work dir's name for ``<work_dir>/<timestamp>/vis_data/*.json``, else the file's stem."""
    parts = osp.abspath(path).split(os.sep)
    if len(parts) >= 4 and parts[-2] == 'vis_data':
        return parts[-4]
    return osp.splitext(parts[-1])[0]


def load_json_log(path: str, name: str = None) -> RunLog:
    """Read one mmengine JSON log (one JSON object per line)."""
    log = RunLog(name or run_name(path))
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                raise DataError(f'{path}:{number}: not a JSON line; pass mmengine\'s vis_data/scalars.json '
                                'or <timestamp>.json.') from None
            (log.train if 'iter' in record else log.evaluation).append(record)
    if not log.train and not log.evaluation:
        raise DataError(f'{path}: no records.')
    return log


def default_keys(logs: Sequence[RunLog]) -> List[str]:
    available = [k for log in logs for k in log.keys()]
    keys = []
    for pattern in DEFAULT_KEY_PATTERNS:
        keys += [k for k in dict.fromkeys(available) if re.fullmatch(pattern, k) and k not in keys]
    return keys


def plot_curves(logs: Sequence[RunLog], keys: Sequence[str], out: str, title: str = None) -> List[int]:
    """One panel per key, one line per log; returns the number of points drawn per key."""
    for key in keys:
        if not any(key in log.keys() for log in logs):
            raise DataError(f'key {key!r} is in none of the logs; they hold: '
                            f'{", ".join(dict.fromkeys(k for log in logs for k in log.keys()))}')
    cols = min(MAX_COLS, len(keys))
    rows = (len(keys) + cols - 1) // cols
    fig = Figure(figsize=(PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows), dpi=DPI)
    axes = fig.subplots(rows, cols, squeeze=False)
    counts = []
    for ax, key in zip(axes.flat, keys):
        count = 0
        for log in logs:
            if key not in log.keys():
                continue
            x, y, x_label = log.curve(key)
            ax.plot(x, y, marker='o' if len(x) < 20 else None, markersize=3, label=log.name)
            ax.set_xlabel(x_label)
            count += len(x)
        ax.set_title(key)
        ax.grid(alpha=0.3)
        if len(logs) > 1:
            ax.legend(fontsize=8)
        counts.append(count)
    for ax in list(axes.flat)[len(keys):]:
        ax.axis('off')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(out)), exist_ok=True)
    fig.savefig(out)
    return counts


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
