"""How many seeds a paired comparison needs: the paired t-test's power, from the seed standard deviation
of paired box AP differences measured in an earlier study.

With n seeds, paired differences of standard deviation ``sd`` and a true difference ``effect``, the
t statistic follows a noncentral t with n - 1 degrees of freedom and noncentrality
``effect / (sd / sqrt(n))``; the power is its probability beyond the two-sided critical value.
"""
import json
import math
import os.path as osp
import statistics
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

from scipy import optimize
from scipy import stats as scipy_stats

MAX_SEEDS = 200


def paired_power(n: int, sd: float, effect: float, alpha: float) -> float:
    """Power of the two-sided paired t-test at level ``alpha`` with ``n`` pairs (n >= 2)."""
    df = n - 1
    critical = scipy_stats.t.ppf(1 - alpha / 2, df)
    shift = effect / (sd / math.sqrt(n))
    power = float(scipy_stats.nct.sf(critical, df, shift) + scipy_stats.nct.cdf(-critical, df, shift))
    return power if not math.isnan(power) else float(shift > critical)  # scipy's NaN far in the tail


def seeds_needed(sd: float, effect: float, alpha: float, power: float) -> int:
    """The fewest pairs (>= 2) whose power reaches ``power``; :data:`MAX_SEEDS` + 1 if none up to it does."""
    return next((n for n in range(2, MAX_SEEDS + 1) if paired_power(n, sd, effect, alpha) >= power), MAX_SEEDS + 1)


def detectable_effect(n: int, sd: float, alpha: float, power: float) -> float:
    """The smallest true difference (box AP) that ``n`` pairs detect with probability ``power``."""
    return float(optimize.brentq(lambda effect: paired_power(n, sd, effect, alpha) - power, 1e-9, 20 * sd))


def paired_differences(runs: Dict[str, Dict], better: str, worse: str) -> List[float]:
    """Box AP of ``{better}_seed{s}`` - ``{worse}_seed{s}`` for every seed s with both runs."""
    seeds = sorted({int(key.rsplit('_seed', 1)[1]) for key in runs if key.startswith(f'{better}_seed')})
    return [runs[f'{better}_seed{s}']['bbox_mAP'] - runs[f'{worse}_seed{s}']['bbox_mAP']
            for s in seeds if f'{worse}_seed{s}' in runs]


def pooled_sd(groups: Sequence[Sequence[float]]) -> Tuple[float, int]:
    """The standard deviation pooled over groups of differences (each about its own mean) and its
    degrees of freedom (sum of n - 1); groups of one value add nothing."""
    groups = [g for g in groups if len(g) > 1]
    df = sum(len(g) - 1 for g in groups)
    if not df:
        raise ValueError('pooled_sd: no group has two values.')
    return math.sqrt(sum(statistics.variance(g) * (len(g) - 1) for g in groups) / df), df


@dataclass(frozen=True)
class PowerEstimate:
    """One part's estimate: the pooled seed SD of paired differences (box AP), its degrees of
    freedom, the seeds needed for ``effect`` at ``power``, and the seeds chosen within the budget."""
    name: str
    sd: float
    df: int
    effect: float
    alpha: float
    power: float
    needed: int
    chosen: int

    @property
    def power_at_chosen(self) -> float:
        return paired_power(self.chosen, self.sd, self.effect, self.alpha)

    @property
    def detectable_at_chosen(self) -> float:
        return detectable_effect(self.chosen, self.sd, self.alpha, self.power)


def estimate_power(name: str, runs: Dict[str, Dict], pairs: Sequence[Tuple[str, str]], effect: float,
                   alpha: float, power: float, min_seeds: int, max_seeds: int) -> PowerEstimate:
    """The estimate of ``name`` from the first study's ``runs`` and the row ``pairs`` it pools; the
    chosen seeds: what it needs, at least ``min_seeds`` and at most ``max_seeds`` (the budget)."""
    sd, df = pooled_sd([paired_differences(runs, better, worse) for better, worse in pairs])
    needed = seeds_needed(sd, effect, alpha, power)
    return PowerEstimate(name, sd, df, effect, alpha, power, needed, max(min_seeds, min(needed, max_seeds)))


def plan_estimates(analysis, root: str = '.') -> List[PowerEstimate]:
    """Every estimate of a plan's :class:`~.plan.AnalysisSpec`, from its first study's runs.json
    (none without one)."""
    if not analysis.first_study:
        return []
    with open(osp.join(root, analysis.first_study)) as f:
        runs = json.load(f)['runs']
    return [estimate_power(name, runs, pairs, analysis.smallest_effect, analysis.alpha, analysis.target_power,
                           analysis.min_seeds, analysis.max_seeds[name])
            for name, pairs in analysis.power_from.items()]
