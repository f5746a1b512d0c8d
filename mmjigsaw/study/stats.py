"""The study's numbers: a row's mean +- std, its costs, and the rule that compares two rows."""
import math
import statistics
from typing import Callable, Dict, Optional, Sequence

#: A difference of mean box AP "holds" beyond this many standard errors.
VERDICT_SE = 2


def box_ap(runs: Sequence[Dict]) -> list:
    """Box AP (COCO mAP@[.5:.95], 0-1) of each run."""
    return [r['bbox_mAP'] for r in runs]


def mean_std(values: Sequence[float]) -> str:
    """A table cell: mean +- sample std and n, the value and n=1 for one run, 'not run' for none."""
    if not values:
        return 'not run'
    if len(values) == 1:
        return f'{values[0]:.3f} (n=1)'
    return f'{statistics.mean(values):.3f} +- {statistics.stdev(values):.3f} (n={len(values)})'


def whole(value: float) -> str:
    """A median cost for the tables: rounded, or 'not run' for a row without runs (NaN)."""
    return 'not run' if math.isnan(value) else f'{value:.0f}'


def totals(runs: Sequence[Dict], pretraining: Callable[[Dict], Optional[Dict]],
           compute: Callable[[Dict], float]) -> Dict[str, float]:
    """Median total wall seconds, compute and images of a row's runs, each with its pre-training
    (``pretraining(run)``, None for none) added; NaN without runs. The median, since a run that shared
    the machine costs more without being a different experiment."""
    pre = [pretraining(r) for r in runs]
    measures = dict(seconds=lambda r: r['seconds'], compute=compute, images=lambda r: r['images'])
    return {name: statistics.median(f(r) + (f(p) if p else 0) for r, p in zip(runs, pre)) if runs else float('nan')
            for name, f in measures.items()}


def compare(better: Sequence[Dict], worse: Sequence[Dict], on_par: bool = False) -> str:
    """Difference of mean box AP with its standard error (Welch), and what it says at
    :data:`VERDICT_SE` standard errors about "``better`` beats ``worse``" (or, with ``on_par``,
    "``better`` is on par or better"); 'not enough runs yet' under two runs a side."""
    a, b = box_ap(better), box_ap(worse)
    if len(a) < 2 or len(b) < 2:
        return 'not enough runs yet'
    diff = statistics.mean(a) - statistics.mean(b)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    bound = VERDICT_SE * se
    if on_par:
        verdict = 'holds' if diff > -bound else 'reversed'
    else:
        verdict = 'holds' if diff > bound else 'reversed' if diff < -bound else 'not resolved (within 2 SE)'
    return f'{diff:+.3f} +- {se:.3f}: {verdict}'
