"""The demo: a one-seed study that writes where the demo configs read."""
import os.path as osp

from mmengine.config import Config

from mmjigsaw.study.cells import Cell
from mmjigsaw.study.demo import DemoLayout, demo_plan, summary_table
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
