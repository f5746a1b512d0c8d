"""The report's figures: box AP against compute (the curve) and one bar per row (the ablations)."""
import statistics
from typing import Dict, List, Sequence, Tuple

from matplotlib.figure import Figure

from .plan import INIT_LABELS, StudyPlan
from .results import Results
from .stats import box_ap, totals

#: (label, runs) of one bar.
Bar = Tuple[str, List[Dict]]


def _spread(runs: Sequence[Dict]) -> float:
    return statistics.stdev(box_ap(runs)) if len(runs) > 1 else 0


def plot_curve(plan: StudyPlan, results: Results, path: str) -> bool:
    """Box AP (mean +- std over seeds) against total compute and images, pre-training included, for
    Montage (the method's variant) and random init at every length run; False without runs."""
    backbone = plan.parts['curve'].backbone
    rows = {}
    for r in results.comparable.values():
        if r['kind'] == 'finetune' and r['backbone'] == backbone and r['init'] in ('montage', 'scratch') \
                and (r['init'] == 'scratch' or r['variant'] == 'erf'):
            rows.setdefault((r['init'], r['epochs']), []).append(r)
    if not rows:
        return False
    fig = Figure(figsize=(11, 4))
    axes = fig.subplots(1, 2)
    for init, colour, label_offset in (('montage', 'tab:red', (4, -12)), ('scratch', 'tab:blue', (-10, 6))):
        points = sorted((e, runs) for (i, e), runs in rows.items() if i == init)
        for ax, unit in zip(axes, ('compute', 'images')):
            xs = [totals(runs, results.pretraining_of, plan.launcher.compute)[unit] for _, runs in points]
            ys = [statistics.mean(box_ap(runs)) for _, runs in points]
            ax.errorbar(xs, ys, yerr=[_spread(runs) for _, runs in points], color=colour, marker='o', capsize=3,
                        label=INIT_LABELS[init])
            for (epochs, _), x, y in zip(points, xs, ys):
                ax.annotate(f'{epochs}e', (x, y), textcoords='offset points', xytext=label_offset, fontsize=8,
                            color=colour)  # Montage's labels below its points, random init's above
    axes[0].set_xlabel(f'total compute, pre-training + fine-tuning ({plan.launcher.unit})')
    axes[1].set_xlabel('total images processed (montages + detection images)')
    for ax in axes:
        ax.set_ylabel('box AP (val)')
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f'{plan.backbones[backbone].label}: box AP against compute (mean +- std over seeds)')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True


def plot_bars(bars: Sequence[Bar], path: str) -> bool:
    """A horizontal bar per row with runs, its std as error bar; False without runs."""
    bars = [(label, runs) for label, runs in bars if runs]
    if not bars:
        return False
    fig = Figure(figsize=(10, 0.45 * len(bars) + 1.2))
    ax = fig.subplots()
    ax.barh(range(len(bars)), [statistics.mean(box_ap(runs)) for _, runs in bars],
            xerr=[_spread(runs) for _, runs in bars], capsize=3, color='tab:gray')
    ax.set_yticks(range(len(bars)), [f'{label} (n={len(runs)})' for label, runs in bars], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel('box AP (val), mean +- std over seeds')
    ax.grid(axis='x', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return True
