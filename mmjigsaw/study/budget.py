"""What a plan will cost in wall hours, estimated from per-run times (a forecast of the duration, never
of results): an earlier study's, and this study's own once it has finished runs of that kind.

A Montage or direct pre-training costs the median wall time of the Montage pre-trainings of that
backbone (D epochs of direct pre-training are chosen to cost what Montage pre-training costs); a
fine-tuning its epochs times the median wall seconds per epoch of that backbone and cost class
(:data:`SAME_COST_AS`: random init, the unfrozen and the direct controls train every layer and cost
alike); equal compute adds this study's E where it is calibrated, else the earlier study's. This
study's medians are over its latest runs of each kind (:data:`LATEST`, by finishing time), those on
the machine it runs on now first, so that the rest is forecast at the pace of the machine it will
run on; an earlier study's are over all its runs.
"""
import statistics
from typing import Dict, Iterable, Optional, Sequence, Tuple

from .calibration import Calibrations
from .cells import Cell, ExtensionCell, Step

#: a fine-tuning's cost class by its initialisation: those that train every layer cost what random init does
SAME_COST_AS = {'montage-unfrozen': 'scratch', 'direct': 'scratch', 'montage': 'montage', 'imagenet': 'imagenet',
                'scratch': 'scratch'}


#: this study's runs of each kind the forecast takes its medians over: the latest ones
LATEST = 3


def _median_seconds(runs: Iterable[Dict], latest: Optional[int] = None) -> Dict:
    """Median wall seconds of a Montage pre-training per backbone (key: backbone) and of one fine-tuning
    epoch per backbone and cost class (key: (backbone, class), :data:`SAME_COST_AS`); with ``latest``, over
    only the last ``latest`` of each key to finish (runs without a finishing time keep their order)."""
    seconds: Dict = {}
    for r in sorted(runs, key=lambda r: r.get('finished', '')):
        if r['kind'] == 'finetune':
            seconds.setdefault((r['backbone'], SAME_COST_AS[r['init']]), []).append(r['seconds'] / r['epochs'])
        elif r['variant'] != 'direct':
            seconds.setdefault(r['backbone'], []).append(r['seconds'])
    return {key: statistics.median(values[-latest:] if latest else values) for key, values in seconds.items()}


def estimate_hours(steps: Sequence[Step], earlier: Dict, done: Optional[Dict] = None, settled: Iterable[str] = (),
                   here: Iterable[Dict] = ()) -> Tuple[float, float, int]:
    """Wall hours of the planned runs and of the conditional extension, and the number of runs, from
    ``earlier`` (a runs.json's data: ``runs`` and ``calibration``); with ``done`` (this study's finished
    runs and calibration, in the same form) only the runs not done yet, at this study's own medians (over
    its :data:`LATEST` runs of each kind; those of ``here``, its runs on the machine it runs on now, first)
    and E where it has them. An extension decided for counts with the planned runs, one decided against
    not at all; the runs keyed in ``settled`` (diverged) not either."""
    done = done or dict(runs={}, calibration={})
    seconds_of = {**_median_seconds(earlier['runs'].values()), **_median_seconds(done['runs'].values(), LATEST),
                  **_median_seconds(here, LATEST)}
    calibrated = Calibrations({**earlier['calibration'], **done['calibration']})
    seconds, extension, seen, counted = 0.0, 0.0, {*done['runs'], *settled}, 0
    for step in steps:
        run = step.run.run if isinstance(step.run, ExtensionCell) else step.run
        due = calibrated.extension_due(run.backbone) if isinstance(step.run, ExtensionCell) else True
        if due is False:
            continue
        cell = run.resolve(calibrated)
        if cell is None:  # direct pre-training of a length D not chosen yet: costs P all the same
            cell = Cell('finetune', run.backbone, 'direct', 'direct', run.epochs, run.seed, pretrain_epochs=1)
        cost = 0.0
        for needed in (cell.pretraining, cell) if cell.kind == 'finetune' and cell.pretraining else (cell, ):
            if needed.key in seen:
                continue
            seen.add(needed.key)
            cost += seconds_of[needed.backbone] if needed.kind == 'pretrain' else \
                needed.epochs * seconds_of[(needed.backbone, SAME_COST_AS[needed.init])]
            counted += 1
        if due is None:
            extension += cost
        else:
            seconds += cost
    return seconds / 3600, extension / 3600, counted
