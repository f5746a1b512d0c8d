"""What a plan will cost in wall hours, estimated from an earlier study's per-run times (a forecast of
the duration, never of results).

A Montage or direct pre-training costs the median wall time of the earlier study's pre-trainings of
that backbone (D epochs of direct pre-training are chosen to cost what Montage pre-training costs); a
fine-tuning its epochs times the median wall seconds per epoch of that backbone and initialisation
(random init's for the unfrozen and direct controls, which train every layer); equal compute adds
the earlier study's E.
"""
import statistics
from typing import Dict, Iterable, Sequence, Tuple

from .calibration import equal_epochs
from .cells import Cell, DirectCell, EqualComputeCell, ExtensionCell, Step

SAME_COST_AS = {'montage-unfrozen': 'scratch', 'direct': 'scratch', 'montage': 'montage', 'imagenet': 'imagenet',
                'scratch': 'scratch'}


def _per_epoch(runs: Iterable[Dict]) -> Dict[Tuple[str, str], float]:
    """(backbone, init) -> median wall seconds per fine-tuning epoch."""
    seconds: Dict[Tuple[str, str], list] = {}
    for r in runs:
        if r['kind'] == 'finetune':
            seconds.setdefault((r['backbone'], r['init']), []).append(r['seconds'] / r['epochs'])
    return {key: statistics.median(values) for key, values in seconds.items()}


def estimate_hours(steps: Sequence[Step], earlier: Dict) -> Tuple[float, float, int]:
    """Wall hours of the planned runs and of the conditional extension, and the number of runs,
    from ``earlier`` (a runs.json's data: ``runs`` and ``calibration``)."""
    runs = list(earlier['runs'].values())
    per_epoch = _per_epoch(runs)
    pretrain = {b: statistics.median(r['seconds'] for r in runs if r['kind'] == 'pretrain' and r['backbone'] == b)
                for b in {r['backbone'] for r in runs}}
    seconds, extension, seen = 0.0, 0.0, set()
    for step in steps:
        run = step.run.run if isinstance(step.run, ExtensionCell) else step.run
        if isinstance(run, EqualComputeCell):
            cell = Cell('finetune', run.backbone, '', 'scratch',
                        equal_epochs(earlier['calibration'], None, run.backbone, run.epochs), run.seed)
        elif isinstance(run, DirectCell):
            cell = Cell('finetune', run.backbone, 'direct', 'direct', run.epochs, run.seed, pretrain_epochs=1)
        else:
            cell = run
        cost = 0.0
        for needed in (cell.pretraining, cell) if cell.kind == 'finetune' and cell.pretraining else (cell, ):
            if needed.key in seen:
                continue
            seen.add(needed.key)
            cost += pretrain[needed.backbone] if needed.kind == 'pretrain' else \
                needed.epochs * per_epoch[(needed.backbone, SAME_COST_AS[needed.init])]
        if isinstance(step.run, ExtensionCell):
            extension += cost
        else:
            seconds += cost
    return seconds / 3600, extension / 3600, len(seen)
