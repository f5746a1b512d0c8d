"""tools/train.py refuses bad configs, bad stores and unsafe checkpoints with one clear line."""
import os.path as osp

import pytest

from helpers import (DEMO_MONTAGE_DETECTOR_CONFIG, DEMO_PRETRAIN_CONFIG, crafted_checkpoint, run_tool,
                     tiny_pretrain_options)


def _train(store, work_dir, *options, extra=()):
    return run_tool('tools/train.py', DEMO_PRETRAIN_CONFIG, '--work-dir', str(work_dir), *extra, '--cfg-options',
                    *tiny_pretrain_options(store, 2), *options)


@pytest.mark.slow
@pytest.mark.parametrize('options, phrases', [
    (['model.head.tau=1.5'], ['tau=1.5 must lie in [0, 1]']),
    (['model.head.num_classes=5'], ['model.head.num_classes=5', '7 object classes']),
    (['model.head.template.cut=48'], ['does not align with the backbone stride 32']),
    (['train_dataloader.dataset.pipeline.0.template.cut=48'], ['does not align with the backbone stride 32']),
])
def test_bad_config_values(demo_store, tmp_path, options, phrases):
    result = _train(demo_store, tmp_path, *options)
    assert result.returncode == 2, result.stderr[-2000:]
    assert 'Traceback' not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr


@pytest.mark.slow
def test_missing_store(tmp_path):
    result = _train(str(tmp_path / 'nowhere'), tmp_path)
    assert result.returncode == 2 and 'not a complete sample store' in result.stderr
    assert 'Traceback' not in result.stderr


@pytest.mark.slow
def test_resume_from_a_crafted_checkpoint_is_refused_and_nothing_runs(demo_store, tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))
    result = _train(demo_store, tmp_path / 'work', extra=('--resume', str(bad)))
    assert result.returncode == 2, result.stderr[-2000:]
    assert 'bad.pth' in result.stderr and 'refused' in result.stderr and 'Traceback' not in result.stderr
    assert not osp.exists(marker)


@pytest.mark.slow
def test_a_missing_resume_file_and_an_unsafe_one_resume_auto_finds_are_named_before_anything_runs(demo_store,
                                                                                                  tmp_path):
    result = _train(demo_store, tmp_path / 'work', extra=('--resume', str(tmp_path / 'iter_9.pth')))
    assert result.returncode == 2 and 'iter_9.pth: checkpoint not found' in result.stderr
    assert 'Traceback' not in result.stderr
    bad, marker = crafted_checkpoint(str(tmp_path))
    (tmp_path / 'work').mkdir()
    (tmp_path / 'work' / 'last_checkpoint').write_text(bad)
    result = _train(demo_store, tmp_path / 'work', extra=('--resume', ))
    assert result.returncode == 2, result.stderr[-2000:]
    assert 'bad.pth: refused' in result.stderr and 'Traceback' not in result.stderr
    assert not osp.exists(marker) and not list((tmp_path / 'work').glob('iter_*.pth'))


@pytest.mark.slow
def test_pretrained_init_from_a_crafted_checkpoint_is_refused_and_nothing_runs(demo_root, tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))
    result = run_tool('tools/train.py', DEMO_MONTAGE_DETECTOR_CONFIG, '--work-dir', str(tmp_path / 'work'),
                      '--cfg-options',
                      f'model.backbone.init_cfg.checkpoint={bad}', f'train_dataloader.dataset.data_root={demo_root}/',
                      f'val_dataloader.dataset.data_root={demo_root}/', 'train_dataloader.num_workers=0',
                      'val_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
                      'val_dataloader.persistent_workers=False',
                      f'val_evaluator.ann_file={demo_root}/annotations/instances_val.json')
    assert result.returncode == 2, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'bad.pth' in result.stderr and 'refused' in result.stderr and 'Traceback' not in result.stderr
    assert not osp.exists(marker)
