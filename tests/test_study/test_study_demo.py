"""The demo: one seed of Montage + L epochs against random init given the pre-training's compute, by the
study's runner; it empties only folders it made."""
import json
import os.path as osp

import cv2
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmjigsaw.errors import ConfigError, DataError
from mmjigsaw.study.calibration import epoch_compute
from mmjigsaw.study.cells import Cell
from mmjigsaw.study.demo import (CPU_SECONDS, ONE_SEED, WORK_DIR_MARK, DemoLayout, arm_summary, check_data_root,
                                 demo_plan, extra_epochs, fresh_work_dir, run_demo, summary_table)
from mmjigsaw.study.provenance import code_hash
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner
from helpers import ROOT


class TestDemoPlan:

    def test_the_configs_numbers_one_seed_own_data(self):
        plan = demo_plan(ROOT)
        assert plan.path == 'configs/reproduce/make_demo.py'
        assert plan.data.root == 'data/make_demo' != load_study_root()  # fewer images: their own folder
        assert (plan.data.demo.num_train, plan.data.demo.num_val, plan.data.demo.seed) == (80, 24, 0)
        assert list(plan.parts) == ['init'] and plan.parts['init'].backbones == ('r18', )
        assert plan.parts['init'].length == 8 and plan.parts['init'].seeds == (0, )
        assert plan.finetune_options['train_cfg.val_interval'] == 1  # box AP after every epoch
        assert plan.pretrain_options['train_cfg.max_iters'] == 80

    def test_quick_keeps_its_tiny_runs_and_the_per_epoch_evaluation(self):
        plan = demo_plan(ROOT, quick=True, data_root='/tmp/elsewhere')
        assert plan.data.root == '/tmp/elsewhere' and plan.data.demo.num_train == 12
        assert plan.pretrain_options['train_cfg.max_iters'] == 4 and plan.parts['init'].length == 1
        assert plan.finetune_options['train_cfg.val_interval'] == 1


def load_study_root():
    return Config.fromfile(osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')).data.root


def test_demo_backbone_where_the_detector_config_reads_it():
    plan = demo_plan(ROOT)
    layout = DemoLayout(osp.join(ROOT, 'work_dirs', 'demo'))
    montage = Cell('finetune', 'r18', 'erf', 'montage', 8, 0)
    detector = Config.fromfile(osp.join(ROOT, plan.backbones['r18'].finetune['montage']))
    assert osp.relpath(layout.backbone(montage.pretraining), ROOT) == detector.model.backbone.init_cfg.checkpoint
    assert layout.work_dir(montage) == osp.join(ROOT, 'work_dirs', 'demo', 'det_pretrained')
    assert layout.train_log(montage.pretraining) == osp.join(ROOT, 'work_dirs', 'demo', 'pretrain.log')
    runner = CellRunner(plan, Results(), layout, ROOT)
    assert runner.store_path('context') == osp.join(ROOT, 'data', 'make_demo', 'store_train_context')


class TestEqualCompute:

    def test_extra_epochs_is_pretraining_over_one_montage_epoch_rounded(self):
        assert extra_epochs(385.0, 29.0) == 13  # 13.28
        assert extra_epochs(200.0, 29.0) == 7   # 6.90
        assert extra_epochs(10.0, 100.0) == 1   # at least one

    def test_epoch_compute_leaves_out_start_up_and_evaluation(self):
        rec = dict(cpu_seconds=100.0, train_seconds=40.0, seconds=50.0, epochs=2)
        # 100 CPU s x 40/50 of the wall time, over 2 epochs
        assert epoch_compute(rec, CPU_SECONDS) == pytest.approx(40.0)
        assert epoch_compute(dict(rec, train_seconds=60.0), CPU_SECONDS) == pytest.approx(50.0)  # share at most 1

    def test_arm_summary_has_one_point_per_epoch_pretraining_first(self, tmp_path):
        logs = tmp_path / '20261130_101010' / 'vis_data'
        logs.mkdir(parents=True)
        records = [dict(loss=1.0, time=1.0, iter=5, epoch=1, step=5), dict(time=0.3, step=1),  # nothing detected
                   dict(loss=1.0, time=1.0, iter=10, epoch=2, step=10), {'coco/bbox_mAP': 0.04, 'step': 2}]
        (logs / 'scalars.json').write_text('\n'.join(json.dumps(r) for r in records))
        rec = dict(cpu_seconds=100.0, train_seconds=40.0, seconds=50.0, epochs=2, bbox_mAP=0.04,
                   work_dir=str(tmp_path))
        arm = arm_summary(rec, (0.5, ), pretrain_compute=300.0)
        assert arm['epochs'] == 2 and arm['epoch_cpu_seconds'] == 40.0 and arm['compute_cpu_seconds'] == 380.0
        assert arm['lr_steps_after'] == [1]  # round(0.5 x 2)
        assert arm['curve'] == [dict(epoch=1, compute_cpu_seconds=340.0, bbox_mAP=0.0),
                                dict(epoch=2, compute_cpu_seconds=380.0, bbox_mAP=0.04)]
        with pytest.raises(DataError, match='2 evaluations logged for 3 epochs'):
            arm_summary(dict(rec, epochs=3), (0.75, ), 300.0)


SUMMARY = dict(
    seed=0, train_images=100, val_images=30, pretrained_bbox_mAP=0.0512, scratch_bbox_mAP=0.031,
    pretrain_seconds=101.2, pretrain_cpu_seconds=196.3, finetune_seconds=dict(pretrained=180.4, scratch=330.9),
    extra_epochs=7, total_seconds=790.2, compute_ratio=1.159, caveat=ONE_SEED.format(seed=0),
    arms=dict(pretrained=dict(epochs=8, lr_steps_after=[6], epoch_cpu_seconds=28.04, compute_cpu_seconds=420.6,
                              bbox_mAP=0.0512, curve=[]),
              scratch=dict(epochs=15, lr_steps_after=[11], epoch_cpu_seconds=32.5, compute_cpu_seconds=487.5,
                           bbox_mAP=0.031, curve=[dict(epoch=8, compute_cpu_seconds=260.0, bbox_mAP=0.012)])))


def test_summary_table():
    lines = summary_table(SUMMARY).splitlines()
    assert lines[1:9] == [
        "Seed 0: Montage pre-training + 8 epochs against random init given the pre-training's compute "
        '(100 train, 30 val images)',
        '', '| backbone init | fine-tuning epochs | compute (CPU s) | box AP (val) |', '|---|---|---|---|',
        '| Montage pre-trained (frozen stem and BN) | 8 | 196 + 8 x 28.0 = 421 | 0.051 |',
        '| random init (every layer trains, BN in train mode) | 8 + 7 = 15 | 15 x 32.5 = 488 | 0.031 |', '',
        SUMMARY['caveat']]  # right under the table
    assert lines[8].startswith('One seed (0) cannot decide') and 'docs/reproduction.md' in lines[8]
    text = '\n'.join(lines)
    assert 'E = round(P / f_m) = round(196 / 28.0) = 7 extra epochs' in text
    assert 'so random init gets 1.16 x Montage\'s compute' in text
    assert 'Random init after 8 epochs (the same run, its lr not yet stepped): 0.012.' in text
    assert 'Box AP: COCO AP@[.5:.95]' in text
    assert lines[-1] == ('Wall: pre-training 101 s, fine-tuning 180 s (Montage) and 331 s (random init), '
                         'all steps 790 s.')


@pytest.mark.parametrize('extra, step, state', [
    (1, 7, 'its lr stepped after epoch 7'),  # 9 epochs: round(0.75 x 9) = 7, before epoch 8
    (2, 8, 'its lr not yet stepped'),        # 10 epochs: a step after epoch 8 acts from epoch 9 on
])
def test_the_table_says_whether_random_inits_lr_stepped_by_epoch_l(extra, step, state):
    scratch = dict(SUMMARY['arms']['scratch'], epochs=8 + extra, lr_steps_after=[step])
    summary = dict(SUMMARY, extra_epochs=extra, arms=dict(SUMMARY['arms'], scratch=scratch))
    assert f'Random init after 8 epochs (the same run, {state}): 0.012.' in summary_table(summary)


class TestOutputFolders:
    """The demo empties only a work dir it made and renders only into a data folder it rendered."""

    def test_an_earlier_demos_work_dir_is_emptied_and_marked(self, tmp_path, capsys):
        for earlier, text in ((WORK_DIR_MARK, ''), ('summary.json', json.dumps(SUMMARY))):  # or an older demo's
            work_dir = tmp_path / earlier.strip('.')
            work_dir.mkdir()
            (work_dir / earlier).write_text(text)
            (work_dir / 'det_scratch.log').write_text('old')
            fresh_work_dir(str(work_dir))
            assert sorted(p.name for p in work_dir.iterdir()) == [WORK_DIR_MARK]
            assert f'removing the previous demo results in {work_dir}' in capsys.readouterr().out
        fresh_work_dir(str(tmp_path / 'new'))
        assert (tmp_path / 'new' / WORK_DIR_MARK).is_file()

    def test_a_folder_the_demo_did_not_make_is_refused_and_kept(self, tmp_path):
        (tmp_path / 'notes.txt').write_text('mine')
        (tmp_path / 'summary.json').write_text('{"mAP": 0.3}')  # a user's file of that name is no demo's
        with pytest.raises(ConfigError, match='holds files the demo did not make'):
            fresh_work_dir(str(tmp_path))
        with pytest.raises(ConfigError, match='no demo.json'):
            check_data_root(str(tmp_path))
        assert (tmp_path / 'notes.txt').read_text() == 'mine'

    def test_a_file_or_a_link_is_refused(self, tmp_path):
        (tmp_path / 'file').write_text('')
        (tmp_path / 'folder').mkdir()
        (tmp_path / 'link').symlink_to(tmp_path / 'folder')
        for path in ('file', 'link'):
            with pytest.raises(ConfigError, match='is a file or a link'):
                fresh_work_dir(str(tmp_path / path))
        with pytest.raises(ConfigError, match='is a file'):
            check_data_root(str(tmp_path / 'file'))
        assert (tmp_path / 'file').is_file() and (tmp_path / 'link').is_symlink()

    def test_a_refused_data_folder_leaves_the_earlier_results_alone(self, tmp_path):
        """The data folder is checked before the work dir is emptied."""
        work_dir, data = tmp_path / 'work', tmp_path / 'data'
        fresh_work_dir(str(work_dir))
        (work_dir / 'summary.json').write_text(json.dumps(SUMMARY))
        data.mkdir()
        (data / 'mine.json').write_text('{}')
        with pytest.raises(ConfigError, match='no demo.json'):
            run_demo(str(work_dir), ROOT, data_root=str(data))
        assert json.loads((work_dir / 'summary.json').read_text()) == SUMMARY

    def test_a_data_folder_the_demo_rendered_or_an_empty_one_passes(self, tmp_path):
        check_data_root(str(tmp_path / 'absent'))
        check_data_root(str(tmp_path))  # empty
        (tmp_path / 'train').mkdir()
        (tmp_path / 'demo.json').write_text('{}')
        check_data_root(str(tmp_path))


def _png(path):
    with open(path, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n', path
    return cv2.imread(str(path))[..., ::-1]


@pytest.mark.slow
def test_the_demo_end_to_end_on_tiny_data(tmp_path, capsys):
    work_dir = tmp_path / 'work'
    allowed = torch.serialization.get_safe_globals()
    torch.serialization.clear_safe_globals()  # as in tools/run_demo.py's fresh process: conftest allow-listed
    scope = DefaultScope.get_current_instance().scope_name
    try:
        summary = run_demo(str(work_dir), ROOT, quick=True, data_root=str(tmp_path / 'data'))
    finally:
        torch.serialization.add_safe_globals(allowed)
    assert DefaultScope.get_current_instance().scope_name == scope  # mmdet's inference gave it back
    assert set(summary) == {'seed', 'train_images', 'val_images', 'pretrained_bbox_mAP', 'scratch_bbox_mAP',
                            'pretrain_seconds', 'pretrain_cpu_seconds', 'finetune_seconds', 'extra_epochs', 'arms',
                            'compute_ratio', 'provenance', 'caveat', 'compute_curve', 'detections', 'total_seconds'}
    assert json.loads((work_dir / 'summary.json').read_text()) == summary
    assert summary['provenance']['code_hash'] == code_hash(ROOT)
    pre, scratch = summary['arms']['pretrained'], summary['arms']['scratch']
    assert summary['compute_ratio'] == round(scratch['compute_cpu_seconds'] / pre['compute_cpu_seconds'], 3)
    # equal compute: E from the measured pre-training and Montage epoch; random init runs L + E epochs
    assert summary['extra_epochs'] == extra_epochs(summary['pretrain_cpu_seconds'], pre['epoch_cpu_seconds']) >= 1
    assert pre['epochs'] == 1 and scratch['epochs'] == 1 + summary['extra_epochs']
    assert pre['compute_cpu_seconds'] == pytest.approx(summary['pretrain_cpu_seconds'] + pre['epoch_cpu_seconds'],
                                                       abs=0.1)
    # box AP after every epoch (mmdet's, 3 decimals), the last one the run's
    assert [p['epoch'] for p in scratch['curve']] == list(range(1, scratch['epochs'] + 1))
    assert summary['scratch_bbox_mAP'] == scratch['bbox_mAP'] == pytest.approx(scratch['curve'][-1]['bbox_mAP'],
                                                                               abs=5e-4)
    assert len(pre['curve']) == 1 and pre['curve'][0]['compute_cpu_seconds'] > summary['pretrain_cpu_seconds']
    assert 0 <= summary['pretrained_bbox_mAP'] <= 1 and summary['finetune_seconds']['scratch'] > 0
    assert summary['total_seconds'] > summary['pretrain_seconds'] + sum(summary['finetune_seconds'].values())
    # the two figures: a matplotlib plot, and 3 val images in rows of 3 panels (truth, Montage, random init)
    assert summary['compute_curve'] == str(work_dir / 'compute_curve.png')
    assert _png(work_dir / 'compute_curve.png').shape == (550, 880, 3)
    detections = _png(work_dir / 'detections.png')
    assert detections.shape[0] > 3 * 200 and detections.shape[1] > 3 * 320
    assert ((detections == (40, 170, 40)).all(-1)).sum() > 100  # ground-truth boxes in green
    for name in ('backbone.pth', 'erf_trained.png', 'erf_random.png', 'pretrain.log', 'det_pretrained.log'):
        assert (work_dir / name).stat().st_size > 0, name
    assert (tmp_path / 'data' / 'store_train_context' / 'meta.json').exists()
    # the Montage detector starts from the exported backbone, the random one from nothing
    assert f'load model from: {work_dir}/backbone.pth' in (work_dir / 'det_pretrained.log').read_text()
    assert 'load model from:' not in (work_dir / 'det_scratch.log').read_text()
    out = capsys.readouterr().out
    assert '==> 9/9 both detectors on the same val images' in out and '$ tools/train.py' in out
    lines = summary_table(summary).splitlines()
    assert lines[1].startswith("Seed 0: Montage pre-training + 1 epochs against random init given the pre-training's")
    assert any(line.startswith('One seed (0) cannot decide') for line in lines)
