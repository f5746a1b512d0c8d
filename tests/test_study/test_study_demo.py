"""The demo: a one-seed study that writes where the demo configs read."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmjigsaw.study.cells import Cell
from mmjigsaw.study.demo import DemoLayout, demo_plan, run_demo, summary_table
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner
from helpers import ROOT


def test_demo_plan_is_one_seed_of_the_method_against_random_init():
    plan = demo_plan(osp.join(ROOT, 'data', 'demo'), ROOT)
    assert [step.run.key for step in plan.steps(['init'])] == [
        'finetune_r18_erf_4e_seed0', 'finetune_r18_scratch_4e_seed0', 'finetune_r18_scratch-equal-to-4e_seed0']
    assert plan.data.demo.num_train == 300 and plan.data.demo.num_val == 100 and plan.data.demo.seed == 0


def test_demo_writes_where_its_configs_read():
    plan = demo_plan(osp.join(ROOT, 'data', 'demo'), ROOT)
    layout = DemoLayout(osp.join(ROOT, 'work_dirs', 'demo'))
    runner = CellRunner(plan, Results(), layout, ROOT)
    montage = Cell('finetune', 'r18', 'erf', 'montage', 4, 0)
    detector = Config.fromfile(osp.join(ROOT, plan.backbones['r18'].finetune['montage']))
    assert osp.relpath(layout.backbone(montage.pretraining), ROOT) == detector.model.backbone.init_cfg.checkpoint
    pretrain = Config.fromfile(osp.join(ROOT, plan.backbones['r18'].pretrain))
    assert osp.relpath(runner.store_path('context'), ROOT) == pretrain.train_dataloader.dataset.store
    assert layout.work_dir(montage) == osp.join(ROOT, 'work_dirs', 'demo', 'det_pretrained')
    assert layout.train_log(montage.pretraining) == osp.join(ROOT, 'work_dirs', 'demo', 'pretrain.log')


def test_summary_table():
    summary = dict(pretrained_bbox_mAP=0.0284, scratch_bbox_mAP=0.011, pretrain_seconds=240.4,
                   finetune_seconds=dict(pretrained=201.6, scratch=230.2), total_seconds=705.3)
    assert summary_table(summary).splitlines()[:7] == [
        '', '| backbone init | box AP (val) | fine-tune (s) |', '|---|---|---|',
        '| Montage pre-trained (frozen stem and BN) | 0.028 | 202 |',
        '| random init (every layer trains, BN in train mode) | 0.011 | 230 |', '',
        'Montage pre-training: 240 s; all steps: 705 s']


@pytest.mark.slow
def test_the_demo_chain_end_to_end_on_tiny_data(tmp_path, capsys):
    work_dir = tmp_path / 'work'
    summary = run_demo(str(work_dir), str(tmp_path / 'data'), ROOT, quick=True)
    assert set(summary) == {'pretrained_bbox_mAP', 'scratch_bbox_mAP', 'pretrain_seconds', 'finetune_seconds',
                            'total_seconds'}
    assert 0 <= summary['pretrained_bbox_mAP'] <= 1 and 0 <= summary['scratch_bbox_mAP'] <= 1
    assert summary['total_seconds'] > summary['pretrain_seconds'] + sum(summary['finetune_seconds'].values()) > 0
    assert (tmp_path / 'data' / 'store_train' / 'meta.json').exists()
    for name in ('backbone.pth', 'erf_trained.png', 'erf_random.png', 'pretrain.log', 'det_pretrained.log'):
        assert (work_dir / name).stat().st_size > 0, name
    assert glob.glob(str(work_dir / 'montages' / '*.png')) and glob.glob(str(work_dir / 'det_scratch' / '*.pth'))
    # the Montage detector starts from the exported backbone, the random one from nothing
    assert f'load model from: {work_dir}/backbone.pth' in (work_dir / 'det_pretrained.log').read_text()
    assert 'load model from:' not in (work_dir / 'det_scratch.log').read_text()
    out = capsys.readouterr().out
    assert '==> 7/7 Faster R-CNN fine-tuning from the scratch backbone' in out and '$ tools/train.py' in out
