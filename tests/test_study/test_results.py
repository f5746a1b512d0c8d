"""runs.json: one code version, stale records rerun and left out of comparisons, matches beside it."""
import os.path as osp
from dataclasses import replace

from mmjigsaw.study.cells import Cell
from mmjigsaw.study.results import Results

CELL = Cell('finetune', 'r18', 'erf', 'montage', 12, 0)


def test_a_record_of_another_code_hash_is_not_done_and_not_compared(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    results.record(CELL, code_hash='old', bbox_mAP=0.2)
    results.set_calibration('r18', dict(pretrain_compute=1.0))
    assert results.done(CELL)['bbox_mAP'] == 0.2  # no study hash yet: every record counts
    assert results.set_code_hash('new') == [CELL.key]  # the stale records are named
    assert results.done(CELL) is None and results.group('r18', 'erf', 12) == []  # it runs again
    assert results.calibration == {}  # measured on the old code
    assert list(results.stale) == [CELL.key] and results.comparable == {}
    results.record(CELL, code_hash='new', bbox_mAP=0.25)
    assert results.done(CELL)['bbox_mAP'] == 0.25 and results.stale == {}
    again = Results(str(tmp_path / 'runs.json'))
    assert again.code_hash == 'new' and again.group('r18', 'erf', 12)[0]['bbox_mAP'] == 0.25
    assert again.set_code_hash('new') == [] and again.data == results.data  # the same hash: nothing changes


def test_groups_sort_by_seed_and_matches_live_beside_runs_json(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    for seed in (2, 0, 1):
        results.record(Cell('finetune', 'r18', '', 'scratch', 14, seed), bbox_mAP=0.1)
    assert [r['seed'] for r in results.group('r18', 'scratch', 14)] == [0, 1, 2]
    assert results.matches_path(CELL.key) == osp.join(str(tmp_path), 'matches', 'finetune_r18_erf_12e_seed0.npz')
    assert Results().matches_path(CELL.key) is None  # in memory (the demo): nothing kept


def test_a_run_again_is_recorded_beside_its_first_measurement(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    results.record(CELL, code_hash='new', seconds=100.0)
    results.record_again(CELL, seconds=90.0)
    results.record_again(CELL, seconds=95.0)
    again = Results(str(tmp_path / 'runs.json')).done(CELL)
    assert again['seconds'] == 100.0 and again['again'] == [dict(seconds=90.0), dict(seconds=95.0)]


def test_a_fine_tuning_s_pretraining_is_the_measurement_its_backbone_came_from(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    pre = Cell('pretrain', 'r18', 'erf', '', 0, 0)
    results.record(pre, seconds=100.0, erf_own_share=0.6)
    results.record_again(pre, seconds=90.0, erf_own_share=0.7)
    first, second = (dict(pretrain=pre.key, pretrain_again=again) for again in (0, 1))
    assert results.pretraining_of(first)['seconds'] == 100.0 and results.pretraining_of(dict(pretrain=pre.key)) \
        == results.pretraining_of(first)  # a record from before pretrain_again: the first
    assert results.pretraining_of(second)['seconds'] == 90.0 and results.pretraining_of(second)['erf_own_share'] == 0.7
    assert results.pretraining_of(second)['key'] == pre.key and results.pretraining_of(dict(pretrain=None)) is None


def test_a_divergence_is_kept_apart_from_the_runs_and_counts_at_its_code_hash_only(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    results.set_code_hash('new')
    results.record_diverged(CELL, code_hash='new', reason='training loss NaN from epoch 4')
    results.record_diverged(replace(CELL, seed=1), code_hash='old', reason='training loss NaN from epoch 2')
    again = Results(str(tmp_path / 'runs.json'))
    assert list(again.diverged) == [CELL.key] and again.diverged[CELL.key]['reason'] == 'training loss NaN from epoch 4'
    assert Cell.of(again.diverged[CELL.key]) == CELL and again.runs == {} and again.done(CELL) is None


def test_wall_hours_count_the_runs_again_and_only_the_study_s_code_version(tmp_path):
    results = Results(str(tmp_path / 'runs.json'))
    results.record(CELL, code_hash='new', seconds=1800.0)
    results.record(Cell('finetune', 'r18', '', 'scratch', 14, 0), code_hash='old', seconds=3600.0)
    results.set_code_hash('new')
    results.record_again(CELL, seconds=900.0)
    assert results.wall_hours == 0.75  # 1800 + 900 s; the old code's hour is not the study's
    assert [(m['key'], m['seconds']) for m in results.measurements] == [(CELL.key, 1800.0), (CELL.key, 900.0)]
