"""Backbone export: tensor-only, mmdet key names, loads into an mmdet detector through init_cfg."""
import os.path as osp
import pickle

import pytest
import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from conftest import ROOT, crafted_checkpoint, run_tool, tiny_pretrain_cfg
from mmjigsaw.engine import UnsafeCheckpointError, load_checkpoint_safely
from pretrain_helpers import assert_erf_table_refreshed, tiny_pretrain


@pytest.fixture(scope='module')
def pretrain_checkpoint(demo_store, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('pretrain')
    cfg = tiny_pretrain_cfg(demo_store, work_dir, max_iters=2, ckpt_interval=2)
    Runner.from_cfg(cfg).train()
    return str(work_dir / 'iter_2.pth')


def test_export_is_tensor_only_and_loads_into_a_detector_through_init_cfg(pretrain_checkpoint, tmp_path):
    out = str(tmp_path / 'backbone.pth')
    result = run_tool('tools/model_converters/extract_backbone.py', pretrain_checkpoint, out)
    assert result.returncode == 0, result.stderr[-2000:]
    state = torch.load(out, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert 'conv1.weight' in state and 'layer4.1.bn2.running_var' in state
    source = load_checkpoint_safely(pretrain_checkpoint)['state_dict']
    torch.testing.assert_close(state['layer1.0.conv1.weight'], source['backbone.layer1.0.conv1.weight'])

    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'det', 'faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py'))
    cfg.model.backbone.base_channels = 8
    cfg.model.neck.in_channels = [8, 16, 32, 64]
    cfg.model.backbone.init_cfg.checkpoint = out
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MMDET_MODELS.build(cfg.model)
    detector.backbone.load_state_dict(state, strict=True)  # no missing, no unexpected keys
    detector.backbone.conv1.weight.data.zero_()
    detector.init_weights()
    for key, value in state.items():
        torch.testing.assert_close(detector.backbone.state_dict()[key], value)


def test_a_checkpoint_that_would_run_code_is_refused_and_nothing_runs(tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))
    with pytest.raises(UnsafeCheckpointError, match='refused'):
        load_checkpoint_safely(str(bad))
    result = run_tool('tools/model_converters/extract_backbone.py', str(bad), str(tmp_path / 'out.pth'))
    assert result.returncode != 0 and 'refused' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not osp.exists(marker) and not (tmp_path / 'out.pth').exists()
    # the checkpoint is really malicious: plain unpickling creates the file
    with open(bad, 'rb') as f:
        pickle.load(f)
    assert osp.exists(marker)


MOBILENET_V2_CONFIG = 'configs/jigsaw/jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py'


@pytest.mark.slow  # trains MobileNetV2 for two iterations and runs the export tool
def test_mobilenet_v2_pretrains_and_its_export_loads_strictly_into_the_detector_backbone(demo_store, tmp_path):
    runner, checkpoint = tiny_pretrain(MOBILENET_V2_CONFIG, demo_store, tmp_path / 'pretrain')
    assert runner.iter == 2 and runner.model.head.conv.in_channels == 1280
    assert torch.isfinite(torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    state_dict = load_checkpoint_safely(checkpoint)['state_dict']
    assert_erf_table_refreshed(state_dict['head.erf_weights'])

    out = str(tmp_path / 'backbone.pth')
    result = run_tool('tools/model_converters/extract_backbone.py', checkpoint, out)
    assert result.returncode == 0, result.stderr[-2000:]
    state = torch.load(out, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    # the detector's MobileNetV2 has four outputs (strides 4, 8, 16, 32); the keys do not depend on them
    with DefaultScope.overwrite_default_scope('mmdet'):
        backbone = MMDET_MODELS.build(dict(type='MobileNetV2', widen_factor=1.0, out_indices=(1, 2, 4, 7),
                                           init_cfg=dict(type='Pretrained', checkpoint=out)))
    backbone.load_state_dict(state, strict=True)
    backbone.conv2.conv.weight.data.zero_()
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, state[key])
        torch.testing.assert_close(value, state_dict[f'backbone.{key}'])
