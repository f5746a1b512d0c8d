"""Executing a plan: running order, resume, the budget, failures, and the calibration as its own step."""
import os.path as osp

from mmjigsaw.study.execution import run_steps
from mmjigsaw.study.plan import load_study
from mmjigsaw.study.processes import ToolFailed
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner, StudyLayout
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
#: CPU seconds of the stand-in runs: the pre-training, one fine-tuning epoch from Montage / random init
PRETRAIN, EPOCH = 400.0, dict(montage=80.0, imagenet=80.0, scratch=100.0)


class StandInRunner(CellRunner):
    """Records made-up runs instead of training: ResNet-18's calibration gives E = 3 at 4 epochs."""

    def __init__(self, results, fail=()):
        super().__init__(load_study(STUDY, root=ROOT), results, StudyLayout('/nonexistent'), ROOT)
        self.ran, self.fail = [], fail

    def prepare_data(self):
        return False

    def finetune(self, cell):
        if cell.key in self.fail:
            raise ToolFailed(f'exit 1: {cell.key}')
        self.ran.append(cell.key)
        if cell.init == 'montage' and not self.results.done(cell.pretraining):
            self.results.record(cell.pretraining, cpu_seconds=PRETRAIN, seconds=PRETRAIN)
        cpu = EPOCH[cell.init] * cell.epochs
        return self.results.record(cell, cpu_seconds=cpu, seconds=cpu, train_seconds=cpu, bbox_mAP=0.1)


def test_equal_compute_runs_after_its_calibration_which_only_reads_finished_runs(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    runner = StandInRunner(results)
    reports = []
    assert run_steps(runner, runner.plan.steps(['init']), None, 'cmd', after_run=lambda: reports.append(1)) == []
    assert runner.ran[:3] == ['finetune_r18_erf_4e_seed0', 'finetune_r18_scratch_4e_seed0',
                              'finetune_r18_scratch_7e_seed0']  # (400 + 4 x (80 - 100)) / 100 = 3.2 extra epochs
    assert results.calibration['r18'] == dict(
        unit='CPU s', pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0,
        measured_from=['finetune_r18_erf_4e_seed0', 'finetune_r18_scratch_4e_seed0', 'pretrain_r18_erf_seed0'])
    assert 'finetune_mbv2_scratch_7e_seed2' in runner.ran and len(runner.ran) == 3 * 7
    assert len(reports) == 3 * 7 + 1 and results.commands == ['cmd']
    assert Results(str(tmp_path / 'runs.json')).data == results.data  # saved as it went

    again = StandInRunner(Results(str(tmp_path / 'runs.json')))
    assert run_steps(again, again.plan.steps(['init']), None, 'cmd 2') == [] and again.ran == []  # resumed
    assert again.results.commands == ['cmd']  # nothing ran, so the command is not noted


def test_over_budget_nothing_starts_and_equal_compute_is_left_out_by_name():
    runner = StandInRunner(Results())
    left_out = run_steps(runner, runner.plan.steps(['init']), -1, 'cmd')
    assert runner.ran == [] and runner.results.calibration == {} and runner.results.commands == []
    assert left_out[:4] == ['finetune_r18_erf_4e_seed0', 'finetune_r18_scratch_4e_seed0',
                            'finetune_r18_scratch-equal-to-4e_seed0', 'finetune_mbv2_erf_4e_seed0']


def test_a_failed_run_is_reported_and_the_study_goes_on():
    runner = StandInRunner(Results(), fail=('finetune_r18_scratch_4e_seed0', ))
    left_out = run_steps(runner, runner.plan.steps(['init']), None, 'cmd')
    assert left_out[0] == 'finetune_r18_scratch_4e_seed0 (failed: exit 1: finetune_r18_scratch_4e_seed0)'
    # seed 0's equal-compute run has no calibration yet; seed 1 calibrates on what finished by then
    assert left_out[1].startswith('finetune_r18_scratch-equal-to-4e_seed0 (failed: no finished Montage')
    assert len(left_out) == 2 and 'finetune_r18_scratch_7e_seed1' in runner.ran
    assert runner.results.calibration['r18']['measured_from'] == [
        'finetune_r18_erf_4e_seed0', 'finetune_r18_erf_4e_seed1', 'finetune_r18_scratch_4e_seed1',
        'pretrain_r18_erf_seed0', 'pretrain_r18_erf_seed1']


def test_quick_fixes_the_extra_epochs_without_calibrating():
    runner = StandInRunner(Results())
    runner.plan = load_study(STUDY, quick=True, root=ROOT)
    assert run_steps(runner, runner.plan.steps(['curve']), None, 'cmd') == []
    assert runner.ran == ['finetune_r18_erf_1e_seed0', 'finetune_r18_scratch_1e_seed0', 'finetune_r18_scratch_2e_seed0',
                          'finetune_r18_erf_2e_seed0', 'finetune_r18_scratch_3e_seed0']
    assert runner.results.calibration == {}


def test_a_stored_calibration_is_read_not_measured_again():
    results = Results()
    results.set_calibration('r18', dict(pretrain_compute=1000.0, epoch_compute_montage=100.0,
                                        epoch_compute_scratch=100.0, measured_from=[]))
    runner = StandInRunner(results)
    run_steps(runner, [s for s in runner.plan.steps(['init']) if s.run.backbone == 'r18'], None, 'cmd')
    assert 'finetune_r18_scratch_14e_seed0' in runner.ran and results.calibration['r18']['measured_from'] == []
