"""The options and paths of one cell's runs."""
import json
import os.path as osp
from dataclasses import replace

import pytest

from mmjigsaw.evaluation.per_image_ap import ImageMatches
from mmjigsaw.study.cells import Cell
from mmjigsaw.study.plan import load_study
from mmjigsaw.study.processes import ToolFailed
from mmjigsaw.study.results import Results
from mmjigsaw.study.runner import CellRunner, StudyLayout, cfg_options, erf_scalars, lr_milestones
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


def test_fine_tunings_save_their_val_detections(tmp_path):
    runner = CellRunner(load_study(STUDY, quick=True, root=ROOT), Results(), StudyLayout(str(tmp_path)), ROOT)
    cell = Cell('finetune', 'r18', 'erf', 'montage', 2, 0)
    assert runner.finetune_options(cell)['val_evaluator.outfile_prefix'] == str(tmp_path / cell.key / 'val')


def _scalars(work_dir, records):
    path = work_dir / '20261130_100000' / 'vis_data' / 'scalars.json'
    path.parent.mkdir(parents=True)
    path.write_text(''.join(json.dumps(r) + '\n' for r in records))


def test_erf_scalars_of_the_first_and_last_refresh(tmp_path):
    _scalars(tmp_path / 'erf', [dict(loss=1.0, erf_own_weight=0.92, erf_own_share=0.88, iter=10),
                                dict(loss=0.9, erf_own_weight=0.80, erf_own_share=0.70, iter=60),
                                dict(loss=0.8, erf_own_weight=0.61, erf_own_share=0.52, iter=250)])
    assert erf_scalars(str(tmp_path / 'erf')) == dict(erf_own_weight=dict(first=0.92, last=0.61),
                                                      erf_own_share=dict(first=0.88, last=0.52))
    _scalars(tmp_path / 'global', [dict(loss=1.0, iter=10)])  # a head without ERF weights logs none
    assert erf_scalars(str(tmp_path / 'global')) == dict(erf_own_weight=None, erf_own_share=None)


def test_box_ap_at_full_precision_from_the_saved_detections(tmp_path):
    """Two val images with a box each; one found exactly, one by a shifted box (IoU 0.6)."""
    data = tmp_path / 'data'
    (data / 'annotations').mkdir(parents=True)
    coco = dict(images=[dict(id=i, file_name=f'{i}.png', width=100, height=100) for i in (1, 2)],
                annotations=[dict(id=i, image_id=i, category_id=1, bbox=[10, 10, 40, 40], area=1600, iscrowd=0)
                             for i in (1, 2)], categories=[dict(id=1, name='disc')])
    (data / 'annotations' / 'instances_val.json').write_text(json.dumps(coco))
    plan = load_study(STUDY, quick=True, root=ROOT)
    plan = replace(plan, data=replace(plan.data, root=str(data)))
    results = Results(str(tmp_path / 'doc' / 'runs.json'))
    runner = CellRunner(plan, results, StudyLayout(str(tmp_path / 'out')), ROOT)
    cell = Cell('finetune', 'r18', 'erf', 'montage', 1, 0)
    work_dir = tmp_path / 'out' / cell.key
    _scalars(work_dir, [{'coco/bbox_mAP': 0.55, 'coco/bbox_mAP_50': 1.0, 'step': 1}])
    (work_dir / 'val.bbox.json').write_text(json.dumps([
        dict(image_id=1, category_id=1, bbox=[10, 10, 40, 40], score=0.9),
        dict(image_id=2, category_id=1, bbox=[20, 10, 40, 40], score=0.8)]))  # IoU 30 x 40 / (2 x 1600 - 1200)
    evaluation = runner.evaluation(cell)
    # both found at IoU 0.5-0.6 (recall 1), one at 0.65-0.95 (recall 0.5 at precision 1: 51 of 101 points)
    assert evaluation['bbox_mAP'] == pytest.approx((3 * 1.0 + 7 * 51 / 101) / 10)
    assert evaluation['bbox_mAP_rounded'] == 0.55 and evaluation['bbox_mAP_50'] == 1.0
    assert evaluation['matches'] == f'{cell.key}.npz'
    kept = ImageMatches.load(results.matches_path(cell.key))
    assert list(kept.image_ids) == [1, 2] and (work_dir / 'matches.npz').is_file()
    (work_dir / 'val.bbox.json').write_text('[]')  # nothing detected: AP 0, nothing to match
    assert runner.evaluation(cell)['bbox_mAP'] == 0.0


def test_tools_import_the_checkout_they_run_in(tmp_path):
    """A study run from another checkout trains that checkout's mmjigsaw, not the editable install's."""
    for rel, text in (('mmjigsaw/__init__.py', 'MARK = "the other checkout"\n'),
                      ('tools/show.py', 'import mmjigsaw\nprint(mmjigsaw.MARK)\n')):
        (tmp_path / rel).parent.mkdir(exist_ok=True)
        (tmp_path / rel).write_text(text)
    runner = CellRunner(load_study(STUDY, quick=True, root=ROOT), Results(), StudyLayout(str(tmp_path)), str(tmp_path))
    log = tmp_path / 'tool.log'
    runner.tool(('tools/show.py', ), log=str(log))  # a script: its own folder comes first on sys.path, not root
    assert log.read_text() == 'the other checkout\n'


def test_the_demo_data_is_rendered_again_when_the_config_asks_for_other_data(tmp_path):
    plan = load_study(STUDY, quick=True, root=ROOT)
    plan = replace(plan, data=replace(plan.data, root=str(tmp_path / 'data')))
    runner = CellRunner(plan, Results(), StudyLayout(str(tmp_path / 'out')), ROOT)
    assert runner.prepare_data() and not runner.prepare_data()  # rendered once, then found
    (tmp_path / 'data' / 'store_train_context').mkdir()  # a store of the old data goes with it
    fewer = replace(plan, data=replace(plan.data, demo=replace(plan.data.demo, num_train=6)))
    runner = CellRunner(fewer, Results(), StudyLayout(str(tmp_path / 'out')), ROOT)
    assert runner.prepare_data() and runner.num_train_images <= 6
    assert not (tmp_path / 'data' / 'store_train_context').exists()


def test_a_recorded_divergence_is_not_run_again(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    results.set_code_hash('now')
    cell = Cell('finetune', 'r18', '', 'scratch', 1, 1)
    results.record_diverged(cell, code_hash='now', finished='2026-12-02 19:40 UTC',
                            reason='training loss NaN from epoch 4')
    plan = load_study(STUDY, quick=True, root=ROOT)
    plan = replace(plan, data=replace(plan.data, root=str(tmp_path / 'no_data')))  # a run would fail at once
    runner = CellRunner(plan, results, StudyLayout(str(tmp_path / 'out')), ROOT)
    with pytest.raises(ToolFailed, match=r'diverged on 2026-12-02 19:40 UTC \(training loss NaN from epoch 4\); not '
                                         r"run again \(to run it again, delete its entry under 'diverged' in "
                                         r'.*runs\.json\)$'):
        runner.run(cell)
    assert not (tmp_path / 'out').exists()  # nothing ran


@pytest.mark.slow
@pytest.mark.parametrize('ends', ['normally', 'with an error'])
def test_a_fine_tuning_whose_loss_goes_nan_is_recorded_as_diverged(tmp_path, ends):
    plan = load_study(STUDY, quick=True, root=ROOT)
    options = {'optim_wrapper.optimizer.lr': 1e12}
    if ends == 'with an error':  # after the NaN is logged: the epoch's checkpoint cannot be written
        (tmp_path / 'a_file').write_text('')
        options['default_hooks.checkpoint.out_dir'] = str(tmp_path / 'a_file')
    plan = replace(plan, finetune_options={**plan.finetune_options, **options})
    results = Results(str(tmp_path / 'runs.json'))
    runner = CellRunner(plan, results, StudyLayout(str(tmp_path / 'out')), ROOT)
    runner.prepare_data()
    cell = Cell('finetune', 'r18', '', 'scratch', 1, 0)
    then = r'; then training failed \(exit 1: .*\)' if ends == 'with an error' else ''
    with pytest.raises(ToolFailed, match=rf'diverged: training loss NaN from epoch 1, iteration \d+ overall, lr \S+\d'
                                         rf'{then}$'):
        runner.run(cell)
    diverged = Results(str(tmp_path / 'runs.json')).diverged[cell.key]
    assert diverged['reason'].startswith('training loss NaN from epoch 1') and cell.key not in results.runs
    assert diverged['log'] == str(tmp_path / 'out' / cell.key / 'train.log') and Cell.of(diverged) == cell
