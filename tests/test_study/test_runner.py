"""The options and paths of one cell's runs."""
import os.path as osp

from mmjigsaw.study.cells import Cell
from mmjigsaw.study.plan import load_study
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner, StudyLayout, cfg_options, lr_milestones
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


def test_lr_steps_fall_inside_the_run():
    assert lr_milestones(4, [0.75]) == [3]
    assert lr_milestones(13, [9 / 13, 12 / 13]) == [9, 12]  # the paper's schedule
    assert lr_milestones(12, [0.75]) == [9]
    assert lr_milestones(1, [0.75]) == []


def test_cfg_options_write_lists_as_json():
    assert cfg_options({'a.b': 3, 'c': [9, 12], 'd': 'x/y'}) == ['a.b=3', 'c=[9, 12]', 'd=x/y']


def test_finetune_options_set_data_schedule_and_seed(tmp_path):
    runner = CellRunner(load_study(STUDY, quick=True, root=ROOT), Results(), StudyLayout(str(tmp_path)), ROOT)
    options = runner.finetune_options(Cell('finetune', 'r18', '', 'scratch', 12, 2))
    data = osp.join(ROOT, 'data', 'demo_quick')
    assert options['train_dataloader.dataset.data_root'] == data + '/'
    assert options['test_dataloader.dataset.ann_file'] == 'annotations/instances_val.json'
    assert options['val_evaluator.ann_file'] == osp.join(data, 'annotations', 'instances_val.json')
    assert options['train_cfg.max_epochs'] == 12 and options['param_scheduler.1.milestones'] == [9]
    assert options['randomness.seed'] == 2 and options['train_dataloader.batch_size'] == 4  # --quick's


def test_study_layout_keys_every_run_by_its_cell(tmp_path):
    layout, cell = StudyLayout(str(tmp_path)), Cell('pretrain', 'r18', 'erf', '', 0, 1)
    assert layout.work_dir(cell) == str(tmp_path / 'pretrain_r18_erf_seed1')
    assert layout.backbone(cell) == str(tmp_path / 'pretrain_r18_erf_seed1' / 'backbone.pth')
    assert layout.train_log(cell) == str(tmp_path / 'pretrain_r18_erf_seed1' / 'train.log')
    assert layout.tool_log('store_bare') == str(tmp_path / 'logs' / 'store_bare.log')
