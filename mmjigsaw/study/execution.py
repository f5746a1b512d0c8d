"""Executing a plan: its steps in running order within a time budget, each calibration an explicit step.

A step whose run is done (at the study's code version) is skipped, so a rerun resumes; a failed run
is reported with its log and the study goes on. Before the first run that needs a calibration,
:func:`calibrate_for` measures it from the runs finished so far (the plan puts the ones it needs
first) and stores it; every later reader only reads what it stored. Before every run the code hash is
checked: if the code changed since the study started, no further run starts.
"""
import time
from typing import Callable, List, Optional, Sequence

from .calibration import Calibrations, measure, measure_direct, measure_extension
from .cells import DirectCell, EqualComputeCell, ExtensionCell, PlannedRun, Step
from .processes import ToolFailed
from .provenance import code_hash
from .runner import CellRunner


def calibrations(runner: CellRunner) -> Calibrations:
    """What the stored calibrations (or ``--quick``'s fixed values) decide."""
    plan = runner.plan
    return Calibrations(runner.results.calibration, plan.fixed_extra_epochs, plan.fixed_direct_epochs,
                        plan.fixed_extension)


def calibrate(runner: CellRunner, backbone: str, length: int) -> bool:
    """Store the equal-compute calibration of ``backbone`` measured on the finished runs at ``length``
    epochs, unless E is fixed or it is already stored; False when its runs are missing."""
    results = runner.results
    if runner.plan.fixed_extra_epochs is not None or backbone in results.calibration:
        return True
    measured = measure(results.comparable.values(), backbone, length, runner.plan.launcher)
    if measured is None:
        return False
    results.set_calibration(backbone, measured)
    return True


def calibrate_direct(runner: CellRunner, run: DirectCell) -> bool:
    """Store D of ``run.backbone`` from its Montage pre-trainings and the probe; False while missing."""
    results, name = runner.results, f'{run.backbone}/direct'
    if runner.plan.fixed_direct_epochs is not None or name in results.calibration:
        return True
    measured = measure_direct(results.comparable.values(), run.backbone, run.probe.key, runner.plan.launcher)
    if measured is not None:
        results.set_calibration(name, measured)
    return measured is not None


def decide_extension(runner: CellRunner) -> None:
    """Store whether the curve's extension runs, once every run of its two longest lengths finished."""
    results, part = runner.results, runner.plan.parts['curve']
    name = f'{part.backbone}/extension'
    if runner.plan.fixed_extension is not None or name in results.calibration:
        return
    calibrated = calibrations(runner)
    lengths = part.lengths[-2:]
    equal = {L: calibrated(part.backbone, L) for L in lengths}
    if None in equal.values():
        return
    seeds = set(part.seeds)
    rows = {arm: {L: [r for r in results.group(part.backbone, source, epochs(L)) if r['seed'] in seeds]
                  for L in lengths}
            for arm, source, epochs in (('montage', 'erf', lambda L: L), ('equal', 'scratch', equal.get))}
    decided = measure_extension(rows['montage'], rows['equal'], len(seeds), part.extension_threshold)
    if decided is not None:
        results.set_calibration(name, decided)


def calibrate_for(runner: CellRunner, run: PlannedRun) -> Optional[str]:
    """Make the calibrations ``run`` needs; why it cannot run yet, or None."""
    if isinstance(run, ExtensionCell):
        decide_extension(runner)
        inner = run.run
        return calibrate_for(runner, inner) if inner.needs_calibration else None
    if isinstance(run, EqualComputeCell) and not calibrate(runner, run.backbone, run.calibration_length):
        return (f'no finished Montage pre-training and {run.calibration_length}-epoch fine-tunings of '
                f'{run.backbone} to calibrate equal compute')
    if isinstance(run, DirectCell) and not calibrate_direct(runner, run):
        return f'no finished Montage pre-training of {run.backbone} and probe {run.probe.key} to calibrate D'
    return None


def code_changed(runner: CellRunner) -> Optional[str]:
    """Why no run may start because the code changed since the study set its hash, or None."""
    expected = runner.results.code_hash
    now = code_hash(runner.root) if expected else None
    return None if now == expected else f'the code changed since the study started ({expected} -> {now})'


def run_steps(runner: CellRunner, steps: Sequence[Step], budget_minutes: Optional[float], command: str,
              after_run: Callable[[], None] = lambda: None) -> List[str]:
    """Run every step not yet done; ``command`` (how the study was started) is noted in the results
    before its first run, ``after_run`` called after every run (and once at the end).

    Returns the keys of the runs left out: over the budget (no run starts after ``budget_minutes``),
    failed or stopped by a code change (``'KEY (failed: ...)'``). An extension decided against is
    not planned, so not left out.
    """
    started = time.time()
    runner.prepare_data()
    results = runner.results
    calibrated = calibrations(runner)
    left_out = []
    for step in steps:
        over_budget = budget_minutes is not None and time.time() - started > 60 * budget_minutes
        run = step.run
        why = calibrate_for(runner, run) if run.needs_calibration and not over_budget else None
        cell = run.resolve(calibrated)
        if cell is None:
            if not (isinstance(run, ExtensionCell) and calibrated.extension_due(run.backbone) is False):
                left_out.append(run.key if why is None else f'{run.key} (failed: {why})')
            continue
        if results.done(cell):
            continue
        changed = None if over_budget else code_changed(runner)
        if over_budget or changed:
            left_out.append(cell.key if over_budget else f'{cell.key} (failed: {changed})')
            continue
        results.add_command(command)
        try:
            runner.run(cell)
        except ToolFailed as err:
            runner.say(f'FAILED: {err}')
            left_out.append(f'{cell.key} (failed: {err})')
        after_run()
    after_run()
    return left_out
