"""The one reader of mmengine's JSON scalar logs."""
import json

import pytest

from mmjigsaw.errors import DataError
from mmjigsaw.study.logs import (first_nan_loss, last_logged, load_json_log, logged_scalars, read_records, resolve_log,
                                 run_name, training_seconds)


def _log(work_dir, stamp, records):
    path = work_dir / stamp / 'vis_data' / 'scalars.json'
    path.parent.mkdir(parents=True)
    path.write_text(''.join(json.dumps(r) + '\n\n' for r in records))
    return path


@pytest.fixture
def work_dir(tmp_path):
    """A fine-tuning that was resumed: two runs, the newer one evaluated."""
    _log(tmp_path, '20261130_090000', [dict(loss=2.0, time=0.5, iter=1, epoch=1, step=1),
                                       dict(loss=1.5, time=0.7, iter=2, epoch=1, step=2)])
    _log(tmp_path, '20261130_100000', [dict(loss=1.0, time=0.9, iter=3, epoch=2, step=3),
                                       {'coco/bbox_mAP': 0.25, 'step': 2},
                                       dict(lr=0.01, time=3.0, iter=4, epoch=2, step=4)])
    return tmp_path


def test_records_of_every_run_oldest_first(work_dir):
    assert [r.get('loss') for r in logged_scalars(work_dir)] == [2.0, 1.5, 1.0, None, None]
    assert last_logged(str(work_dir), 'coco/bbox_mAP') == 0.25 and last_logged(str(work_dir), 'loss') == 1.0
    with pytest.raises(DataError, match='no coco/segm_mAP logged under'):
        last_logged(str(work_dir), 'coco/segm_mAP')


def test_training_seconds_use_iterations_with_a_loss_only(work_dir, tmp_path_factory):
    # (0.5 + 0.7 + 0.9) / 3 s per iteration; the record without a loss (3.0 s) is not an iteration's time
    assert training_seconds(str(work_dir), 30) == pytest.approx(21.0)
    with pytest.raises(DataError, match='no training iteration times'):
        training_seconds(str(tmp_path_factory.mktemp('empty')), 30)


def test_where_the_training_loss_first_went_nan(work_dir, tmp_path_factory):
    assert first_nan_loss(str(work_dir)) is None
    diverged = tmp_path_factory.mktemp('diverged')
    path = _log(diverged, '20261202_192617', [dict(lr=0.01, loss=0.53, epoch=3, iter=110)])
    with open(path, 'a') as f:  # mmengine writes a NaN loss as json.dumps does: NaN
        f.write('{"lr": 0.01, "loss": NaN, "epoch": 4, "iter": 124}\n{"lr": 0.001, "loss": NaN, "epoch": 5, '
                '"iter": 130}\n{"coco/bbox_mAP": 0.0, "step": 12}\n')
    assert first_nan_loss(str(diverged)) == 'epoch 4, iteration 124 overall, lr 0.01'
    by_iteration = tmp_path_factory.mktemp('by_iteration')  # an iteration-based loop logs no epoch
    with open(_log(by_iteration, '20261202_192617', []), 'a') as f:
        f.write('{"lr": 0.02, "loss": NaN, "iter": 7}\n')
    assert first_nan_loss(str(by_iteration)) == 'iteration 7 overall, lr 0.02'


def test_a_work_dir_resolves_to_its_newest_log(work_dir):
    newest = resolve_log(str(work_dir))
    assert newest == str(work_dir / '20261130_100000' / 'vis_data' / 'scalars.json')
    log = load_json_log(newest)
    assert log.name == work_dir.name == run_name(newest) and log.by_epoch
    assert [r['iter'] for r in log.train] == [3, 4] and log.evaluation == [{'coco/bbox_mAP': 0.25, 'step': 2}]
    assert log.curve('coco/bbox_mAP') == ([2], [0.25], 'epoch') and log.curve('loss') == ([3], [1.0], 'iteration')
    assert log.keys() == ['loss', 'time', 'lr', 'coco/bbox_mAP']


def test_bad_logs_are_named(tmp_path):
    with pytest.raises(DataError, match='no <timestamp>/vis_data/scalars.json under this work dir'):
        resolve_log(str(tmp_path))
    with pytest.raises(DataError, match='log file not found'):
        resolve_log(str(tmp_path / 'missing.json'))
    bad = tmp_path / 'bad.json'
    bad.write_text('{"loss": 1}\nnot json\n')
    with pytest.raises(DataError, match=r'bad.json:2: not a JSON line'):
        read_records(str(bad))
    empty = tmp_path / 'empty.json'
    empty.write_text('\n')
    assert read_records(str(empty)) == []
    with pytest.raises(DataError, match='empty.json: no records'):
        load_json_log(str(empty))
