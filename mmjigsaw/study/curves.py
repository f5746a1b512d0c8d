"""Training curves of runs as a PNG: one panel per key, one line per log (``analyze_logs.py plot_curve``)."""
import os
import os.path as osp
import re
from typing import List, Optional, Sequence

from matplotlib.figure import Figure

from mmjigsaw.errors import DataError
from .logs import RunLog

#: Keys plotted when none are named, in this order, where the logs hold them.
DEFAULT_KEY_PATTERNS = (r'loss', r'acc.*', r'lr', r'erf_own_weight', r'erf_own_share', r'.*bbox_mAP',
                        r'.*segm_mAP')
PANEL_INCHES, DPI, MAX_COLS = (5.0, 3.5), 100, 3


def default_keys(logs: Sequence[RunLog]) -> List[str]:
    """The keys of :data:`DEFAULT_KEY_PATTERNS` that the logs hold, pattern by pattern."""
    available = [k for log in logs for k in log.keys()]
    keys = []
    for pattern in DEFAULT_KEY_PATTERNS:
        keys += [k for k in dict.fromkeys(available) if re.fullmatch(pattern, k) and k not in keys]
    return keys


def plot_curves(logs: Sequence[RunLog], keys: Sequence[str], out: str, title: Optional[str] = None) -> List[int]:
    """Write ``out``: one panel per key (5 x 3.5 inches at 100 dpi, at most 3 a row), one line per log.

    Returns the number of points drawn per key; a key that no log holds is refused before drawing.
    """
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
