"""Executing a plan: its steps in running order within a time budget, the calibration an explicit step.

A step whose run is done is skipped, so a rerun resumes; a failed run is reported with its log and
the study goes on. Before the first equal-compute run of a backbone, :func:`calibrate` measures E's
inputs from the runs finished so far (the plan puts the ones it needs first); every later reader
only reads what it stored.
"""
import time
from functools import partial
from typing import Callable, List, Optional, Sequence

from .calibration import equal_epochs, measure
from .cells import Step
from .processes import ToolFailed
from .runner import CellRunner


def calibrate(runner: CellRunner, backbone: str, length: int) -> bool:
    """Store the equal-compute calibration of ``backbone`` measured on the finished runs at ``length``
    epochs, unless E is fixed or it is already stored; False when its runs are missing."""
    results = runner.results
    if runner.plan.fixed_extra_epochs is not None or backbone in results.calibration:
        return True
    measured = measure(results.runs.values(), backbone, length, runner.plan.launcher)
    if measured is None:
        return False
    results.set_calibration(backbone, measured)
    return True


def run_steps(runner: CellRunner, steps: Sequence[Step], budget_minutes: Optional[float], command: str,
              after_run: Callable[[], None] = lambda: None) -> List[str]:
    """Run every step not yet done; ``command`` (how the study was started) is noted in the results
    before its first run, ``after_run`` called after every run (and once at the end).

    Returns the keys of the runs left out: over the budget (no run starts after ``budget_minutes``)
    or failed (``'KEY (failed: ...)'``).
    """
    started = time.time()
    runner.prepare_data()
    results = runner.results
    total_epochs = partial(equal_epochs, results.calibration, runner.plan.fixed_extra_epochs)
    left_out = []
    for step in steps:
        over_budget = budget_minutes is not None and time.time() - started > 60 * budget_minutes
        run = step.run
        calibrated = not run.needs_calibration or over_budget or calibrate(
            runner, run.backbone, run.calibration_length)
        cell = run.resolve(total_epochs)
        if cell is None:
            left_out.append(run.key if calibrated else
                            f'{run.key} (failed: no finished Montage pre-training and {run.calibration_length}-epoch '
                            f'fine-tunings of {run.backbone} to calibrate equal compute)')
            continue
        if results.done(cell):
            continue
        if over_budget:
            left_out.append(cell.key)
            continue
        results.add_command(command)
        try:
            runner.finetune(cell)
        except ToolFailed as err:
            runner.say(f'FAILED: {err}')
            left_out.append(f'{cell.key} (failed: {err})')
        after_run()
    after_run()
    return left_out
