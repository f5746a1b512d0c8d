"""Executing a plan: running order, resume, the budget, failures, one code version, and the calibrations
(equal compute, direct pre-training's length, the curve's extension) as their own steps."""
import os.path as osp

from mmjigsaw.study.execution import run_steps
from mmjigsaw.study.plan import PARTS, load_study
from mmjigsaw.study.processes import ToolFailed
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner, StudyLayout
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
#: CPU seconds of the stand-in runs: a pre-training, one fine-tuning epoch per initialisation
PRETRAIN = 400.0
EPOCH = {'montage': 80.0, 'montage-unfrozen': 100.0, 'imagenet': 80.0, 'scratch': 100.0, 'direct': 100.0, '': 25.0}


class StandInRunner(CellRunner):
    """Records made-up runs instead of training: E = 3 at 4 epochs, 2 at 12; a 192 px epoch costs 25 CPU s.

    ``ap``: box AP of a fine-tuning from its cell (default 0.1)."""

    def __init__(self, results, fail=(), ap=lambda cell: 0.1):
        super().__init__(load_study(STUDY, root=ROOT), results, StudyLayout('/nonexistent'), ROOT)
        self.ran, self.fail, self.ap = [], fail, ap

    def prepare_data(self):
        return False

    def run(self, cell):
        if cell.key in self.fail:
            raise ToolFailed(f'exit 1: {cell.key}')
        self.ran.append(cell.key)
        pre = cell.pretraining if cell.kind == 'finetune' else cell
        if pre is not None and not self.results.done(pre):
            cpu = PRETRAIN if not pre.epochs else EPOCH[''] * pre.epochs
            self.results.record(pre, cpu_seconds=cpu, seconds=cpu, train_seconds=cpu)
        if cell.kind == 'pretrain':
            return self.results.done(cell)
        cpu = EPOCH[cell.init] * cell.epochs
        return self.results.record(cell, cpu_seconds=cpu, seconds=cpu, train_seconds=cpu, bbox_mAP=self.ap(cell))


def test_equal_compute_runs_after_its_calibration_which_only_reads_finished_runs(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    runner = StandInRunner(results)
    reports = []
    assert run_steps(runner, runner.plan.steps(['curve']), None, 'cmd', after_run=lambda: reports.append(1)) == []
    assert runner.ran[:3] == ['finetune_r18_erf_12e_seed0', 'finetune_r18_scratch_12e_seed0',
                              'finetune_r18_scratch_14e_seed0']  # (400 + 12 x (80 - 100)) / 100 = 1.6 extra epochs
    assert results.calibration['r18'] == dict(
        unit='CPU s', pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0,
        measured_from=['finetune_r18_erf_12e_seed0', 'finetune_r18_scratch_12e_seed0', 'pretrain_r18_erf_seed0'])
    # L = 6: E = round(2.8) = 3; L = 24: E = round(-0.8) = -1, random init's dearer epochs at equal compute
    assert 'finetune_r18_scratch_9e_seed4' in runner.ran and 'finetune_r18_scratch_23e_seed4' in runner.ran
    assert len(runner.ran) == 5 * 2 * 3 + 3  # Montage and equal compute at 3 lengths, random init at 12 for 3 seeds
    # every AP the same: the arms did not climb from 12 to 24, so the 48-epoch extension is decided against
    assert results.calibration['r18/extension']['due'] is False and 'finetune_r18_erf_48e_seed0' not in runner.ran
    assert len(reports) == len(runner.ran) + 1 and results.commands == ['cmd']
    assert Results(str(tmp_path / 'runs.json')).data == results.data  # saved as it went

    again = StandInRunner(Results(str(tmp_path / 'runs.json')))
    assert run_steps(again, again.plan.steps(['curve']), None, 'cmd 2') == [] and again.ran == []  # resumed
    assert again.results.commands == ['cmd']  # nothing ran, so the command is not noted


def test_the_extension_runs_when_both_arms_still_climb():
    runner = StandInRunner(Results(), ap=lambda cell: cell.epochs / 100)  # AP grows with the length
    assert run_steps(runner, runner.plan.steps(['curve']), None, 'cmd') == []
    assert runner.results.calibration['r18/extension']['due'] is True
    assert runner.ran[-2:] == ['finetune_r18_erf_48e_seed4', 'finetune_r18_scratch_42e_seed4']


def test_direct_pretraining_length_comes_from_the_probe_and_the_montage_pretrainings():
    runner = StandInRunner(Results())
    run_steps(runner, runner.plan.steps(['unfrozen', 'direct']), None, 'cmd')
    assert runner.results.calibration['r18/direct']['epochs'] == 16  # 400 / 25
    assert runner.ran == [f'finetune_r18_montage-unfrozen_12e_seed{s}' for s in range(3)] + [
        'pretrain_r18_direct-2e_seed0'] + [f'finetune_r18_direct-16e_12e_seed{s}' for s in range(3)]
    assert runner.results.runs['pretrain_r18_direct-16e_seed2']['cpu_seconds'] == 400.0


def test_over_budget_nothing_starts_and_equal_compute_is_left_out_by_name():
    runner = StandInRunner(Results())
    left_out = run_steps(runner, runner.plan.steps(['init']), -1, 'cmd')
    assert runner.ran == [] and runner.results.calibration == {} and runner.results.commands == []
    assert left_out[:4] == ['finetune_mbv2_erf_12e_seed0', 'finetune_mbv2_imagenet_12e_seed0',
                            'finetune_mbv2_scratch_12e_seed0', 'finetune_mbv2_scratch-equal-to-12e_seed0']


def test_a_failed_run_is_reported_and_the_study_goes_on():
    runner = StandInRunner(Results(), fail=('finetune_mbv2_scratch_12e_seed0', ))
    left_out = run_steps(runner, runner.plan.steps(['init']), None, 'cmd')
    assert left_out[0] == 'finetune_mbv2_scratch_12e_seed0 (failed: exit 1: finetune_mbv2_scratch_12e_seed0)'
    # seed 0's equal-compute run has no calibration yet; seed 1 calibrates on what finished by then
    assert left_out[1].startswith('finetune_mbv2_scratch-equal-to-12e_seed0 (failed: no finished Montage')
    assert len(left_out) == 2 and 'finetune_mbv2_scratch_14e_seed1' in runner.ran


def test_no_run_starts_once_the_code_differs_from_the_studys():
    results = Results()
    results.set_code_hash('0000000000000000')
    runner = StandInRunner(results)
    left_out = run_steps(runner, runner.plan.steps(['unfrozen']), None, 'cmd')
    assert runner.ran == [] and len(left_out) == 3
    assert left_out[0].startswith('finetune_r18_montage-unfrozen_12e_seed0 (failed: the code changed since the study '
                                  'started (0000000000000000 -> ')


def test_quick_fixes_the_calibrations_and_runs_every_part():
    runner = StandInRunner(Results())
    runner.plan = load_study(STUDY, quick=True, root=ROOT)
    assert run_steps(runner, runner.plan.steps(PARTS), None, 'cmd') == []
    assert runner.ran[:5] == ['finetune_r18_erf_1e_seed0', 'finetune_r18_scratch_1e_seed0',
                              'finetune_r18_scratch_2e_seed0', 'finetune_r18_erf_2e_seed0',
                              'finetune_r18_scratch_3e_seed0']
    assert runner.ran[-2:] == ['finetune_r18_erf_3e_seed0', 'finetune_r18_scratch_4e_seed0']  # the extension
    assert 'finetune_r18_direct-2e_1e_seed0' in runner.ran and runner.results.calibration == {}
