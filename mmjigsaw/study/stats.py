"""The study's numbers: a row's mean +- std and costs, and the paired test that compares two rows.

Two rows are compared pair by pair: the runs of one seed in both rows share their data order
and the initial weights of the parts both arms have (a detector's neck and heads; PartwiseInitHook).
:func:`paired_test` is the t-test over those pairs (the verdict); :func:`image_bootstrap`
resamples the val images, the same draw for every run, as a second line.
"""
import math
import statistics
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
from scipy import stats as scipy_stats

from mmjigsaw.evaluation.per_image_ap import ImageMatches
from mmjigsaw.evaluation.per_image_ap import box_ap as matches_ap


def box_ap(runs: Sequence[Dict]) -> list:
    """Box AP (COCO mAP@[.5:.95], 0-1, full precision) of each run."""
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


def pairs(a_runs: Sequence[Dict], b_runs: Sequence[Dict]) -> List[Tuple[Dict, Dict]]:
    """The runs of both rows matched by seed, in seed order."""
    b_by_seed = {r['seed']: r for r in b_runs}
    return [(a, b_by_seed[a['seed']]) for a in sorted(a_runs, key=lambda r: r['seed']) if a['seed'] in b_by_seed]


@dataclass(frozen=True)
class PairedTest:
    """The paired t-test of row a against row b: mean difference a - b (box AP), its CI at 1 - alpha,
    the two-sided p value, the pairs and the verdict."""
    diff: float
    low: float
    high: float
    p: float
    n: int
    verdict: str

    def __str__(self) -> str:
        return (f'{self.diff:+.4f} [{self.low:+.4f}, {self.high:+.4f}], p = {self.p:.3g}, n = {self.n}: '
                f'{self.verdict}')


def paired_test(a_runs: Sequence[Dict], b_runs: Sequence[Dict], alpha: float = 0.05, smallest_effect: float = 0.01,
                on_par: bool = False) -> Optional[PairedTest]:
    """Test "row a beats row b" (``on_par``: "a is on par with b or better") over the seeds both ran;
    None under two pairs.

    Verdicts, in this order: 'no effect of reportable size' when the CI lies within +-``smallest_effect``;
    'holds' / 'reversed' when p < ``alpha`` (``on_par``: 'holds' whenever the CI's lower end is above
    -``smallest_effect``); else 'not resolved'.
    """
    matched = pairs(a_runs, b_runs)
    if len(matched) < 2:
        return None
    d = np.array([a['bbox_mAP'] - b['bbox_mAP'] for a, b in matched])
    n, mean = len(d), float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(n)
    half = float(scipy_stats.t.ppf(1 - alpha / 2, n - 1)) * se
    p = float(2 * scipy_stats.t.sf(abs(mean) / se, n - 1)) if se > 0 else float(mean == 0)
    low, high = mean - half, mean + half
    if -smallest_effect < low and high < smallest_effect:
        verdict = 'no effect of reportable size'
    elif on_par and low > -smallest_effect:
        verdict = 'holds'
    elif p < alpha:
        verdict = 'holds' if mean > 0 else 'reversed'
    else:
        verdict = 'not resolved'
    return PairedTest(mean, low, high, p, n, verdict)


def image_bootstrap(pairs_of_matches: Sequence[Tuple[ImageMatches, ImageMatches]], samples: int,
                    seed: int, alpha: float = 0.05) -> Tuple[float, float, float]:
    """Mean over seeds of AP(a) - AP(b) on all val images, and its percentile CI at 1 - ``alpha`` over
    ``samples`` resamples of the images (with repeats; one draw for every run)."""
    ids = pairs_of_matches[0][0].image_ids
    if any(not np.array_equal(m.image_ids, ids) for pair in pairs_of_matches for m in pair):
        raise ValueError('image bootstrap: the runs were evaluated on different images.')
    rng = np.random.default_rng(seed)

    def diff(counts=None) -> float:
        return float(np.mean([matches_ap(a, counts) - matches_ap(b, counts) for a, b in pairs_of_matches]))

    draws = [diff(np.bincount(rng.integers(0, len(ids), len(ids)), minlength=len(ids))) for _ in range(samples)]
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return diff(), float(low), float(high)
