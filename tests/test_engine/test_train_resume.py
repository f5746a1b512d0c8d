"""tools/train.py end to end on CPU: training, --resume under torch's weights_only loading."""
import os.path as osp

import pytest
import torch

from helpers import DEMO_PRETRAIN_CONFIG, ROOT, run_tool, tiny_pretrain_options


def _train(work_dir, store, max_iters, *extra):
    result = run_tool('tools/train.py', DEMO_PRETRAIN_CONFIG, '--work-dir', str(work_dir), *extra,
                      '--cfg-options', *tiny_pretrain_options(store, max_iters, erf_interval=2, ckpt_interval=3))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert 'pkg_resources is deprecated' not in result.stderr
    return result.stdout + result.stderr


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=True)


@pytest.mark.slow
def test_resume_continues_exactly_like_an_uninterrupted_run(demo_store, tmp_path):
    assert torch.__version__ >= '2.6'  # weights_only=True is torch.load's default here
    _train(tmp_path / 'full', demo_store, 6)
    _train(tmp_path / 'part', demo_store, 3)
    log = _train(tmp_path / 'part', demo_store, 6, '--resume')
    assert 'resumed' in log.lower() or 'Advance dataloader 3 steps' in log
    full, part = _state(tmp_path / 'full' / 'iter_6.pth'), _state(tmp_path / 'part' / 'iter_6.pth')
    assert full['meta']['iter'] == part['meta']['iter'] == 6
    assert torch.equal(full['state_dict']['head.erf_weights'], part['state_dict']['head.erf_weights'])
    # the table was refreshed after the resume point (at iteration 4), so it is not the initial one
    first = _state(tmp_path / 'part' / 'iter_3.pth')['state_dict']['head.erf_weights']
    assert not torch.equal(first, part['state_dict']['head.erf_weights'])
    for key, value in full['state_dict'].items():
        assert torch.equal(value, part['state_dict'][key]), key
    # the ERF evolution picture continues across the resume: the same columns, the same maps
    assert full['erf_evolution']['iters'].tolist() == part['erf_evolution']['iters'].tolist() == [0, 2, 4]
    for key in ('positions', 'maps'):
        assert torch.equal(full['erf_evolution'][key], part['erf_evolution'][key]), key


@pytest.mark.slow
def test_erf_hook_refreshes_at_the_right_iterations_and_writes_heat_maps(demo_store, tmp_path):
    log = _train(tmp_path / 'run', demo_store, 5)
    assert [line.split('iter ')[1].split(':')[0] for line in log.splitlines()
            if 'ERFUpdateHook: iter' in line] == ['0', '2', '4']
    pictures = sorted(p.name for p in (tmp_path / 'run' / 'erf').iterdir())
    assert pictures == ['evolution.png', 'iter_0.png', 'iter_2.png', 'iter_4.png']
    assert 'erf_own_weight' in log and 'erf_own_share' in log


@pytest.mark.slow
def test_online_mode_config_trains_from_detection_images(demo_root, tmp_path):
    config = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw-online_resnet50_8xb64-coslr-64k_coco.py')
    result = run_tool('tools/train.py', config,
                      '--work-dir', str(tmp_path), '--cfg-options',
                      f'train_dataloader.dataset.ann_file={demo_root}/annotations/instances_train.json',
                      f'train_dataloader.dataset.img_dir={demo_root}/train',
                      'train_dataloader.dataset.extract_pipeline.0.num_classes=7', 'model.head.num_classes=7',
                      'model.backbone.depth=18', 'model.backbone.base_channels=8', 'model.head.in_channels=64',
                      'model.backbone.norm_cfg.type=BN', 'train_dataloader.batch_size=4',
                      'train_dataloader.num_workers=0', 'train_dataloader.persistent_workers=False',
                      'train_cfg.max_iters=2', 'custom_hooks.0.num_images=1', 'default_hooks.logger.interval=1',
                      'default_hooks.checkpoint.interval=2')
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / 'iter_2.pth').exists()
    assert 'ERFUpdateHook: iter 0' in result.stdout + result.stderr
