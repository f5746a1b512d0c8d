"""Backbone export: tensor-only, mmdet key names, loads into an mmdet detector through init_cfg."""
import os.path as osp
import pickle

import pytest
import torch
import torchvision
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config, ConfigDict
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmjigsaw.engine import UnsafeCheckpointError, load_checkpoint_safely
from helpers import (DEMO_MONTAGE_DETECTOR_CONFIG, ROOT, assert_erf_table_refreshed, crafted_checkpoint, run_tool,
                     tiny_pretrain, tiny_pretrain_cfg)


@pytest.fixture(scope='module')
def pretrain_checkpoint(demo_store, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('pretrain')
    cfg = tiny_pretrain_cfg(demo_store, work_dir, max_iters=2, ckpt_interval=2)
    Runner.from_cfg(cfg).train()
    return str(work_dir / 'iter_2.pth')


@pytest.mark.slow
def test_export_is_tensor_only_and_loads_into_a_detector_through_init_cfg(pretrain_checkpoint, tmp_path):
    out = str(tmp_path / 'backbone.pth')
    result = run_tool('tools/model_converters/extract_backbone.py', pretrain_checkpoint, out)
    assert result.returncode == 0, result.stderr[-2000:]
    state = torch.load(out, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert 'conv1.weight' in state and 'layer4.1.bn2.running_var' in state
    source = load_checkpoint_safely(pretrain_checkpoint)['state_dict']
    torch.testing.assert_close(state['layer1.0.conv1.weight'], source['backbone.layer1.0.conv1.weight'])

    cfg = Config.fromfile(DEMO_MONTAGE_DETECTOR_CONFIG)
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


@pytest.mark.slow
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
@pytest.mark.usefixtures('one_torch_thread')
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


def _classifier_checkpoint(folder, backbone, num_classes=7, head='DenseERFHead'):
    """A JigsawClassifier checkpoint (runner layout) with ``backbone``; returns (path, state dict)."""
    from mmjigsaw.registry import MODELS
    model = MODELS.build(dict(type='JigsawClassifier', backbone=backbone,
                              head=dict(type=head, num_classes=num_classes)))
    path = osp.join(str(folder), 'pretrain.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path, model


class TestTorchvisionLayout:

    def test_mobilenet_v2_has_exactly_torchvisions_keys_and_shapes_and_the_head_as_classifier(self, tmp_path):
        from mmjigsaw.converters import imagenet_weights_path
        from mmjigsaw.converters.backbone_export import export_backbone
        src, model = _classifier_checkpoint(tmp_path, dict(type='mmdet.MobileNetV2', out_indices=(7, )))
        out = str(tmp_path / 'tv.pth')
        result = export_backbone(src, out, to='torchvision')
        assert 'mobilenet_v2(num_classes=8)' in result.note
        state = torch.load(out, weights_only=True)
        published = torch.load(imagenet_weights_path('mobilenet_v2'), weights_only=True)  # torchvision's own file
        assert list(state) == list(published)
        for key, value in published.items():
            expected = (8, ) + tuple(value.shape[1:]) if key.startswith('classifier.1.') else tuple(value.shape)
            assert tuple(state[key].shape) == expected, key
        torch.testing.assert_close(state['features.18.0.weight'], model.backbone.conv2.conv.weight, rtol=0, atol=0)
        torch.testing.assert_close(state['classifier.1.weight'], model.head.conv.weight.flatten(1), rtol=0, atol=0)

    def test_resnet_keeps_its_keys_and_gains_fc(self, tmp_path):
        from mmjigsaw.converters.backbone_export import export_backbone
        src, model = _classifier_checkpoint(tmp_path, dict(type='mmdet.ResNet', depth=18, out_indices=(3, )),
                                            head='GlobalClsHead')
        out = str(tmp_path / 'tv.pth')
        assert 'resnet' in export_backbone(src, out, to='torchvision').note
        state = torch.load(out, weights_only=True)
        assert list(state) == list(model.backbone.state_dict()) + ['fc.weight', 'fc.bias']
        torch.testing.assert_close(state['fc.weight'], model.head.fc.weight, rtol=0, atol=0)

    def test_the_dense_head_as_classifier_is_the_mean_of_its_dense_logits(self, tmp_path):
        from mmjigsaw.converters import head_as_classifier
        _, model = _classifier_checkpoint(tmp_path, dict(type='mmdet.ResNet', depth=18, base_channels=8,
                                                         out_indices=(3, )))
        weight, bias = head_as_classifier(model.state_dict())
        feat = torch.randn(2, 64, 7, 7, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            dense = model.head((feat, )).mean((2, 3))
        torch.testing.assert_close(feat.mean((2, 3)) @ weight.T + bias, dense, rtol=1e-5, atol=1e-5)

    @pytest.mark.slow  # starts a process
    def test_a_backbone_torchvision_lacks_is_refused(self, tmp_path):
        src, _ = _classifier_checkpoint(tmp_path, dict(type='mmdet.CSPNeXt', widen_factor=0.125, out_indices=(4, )))
        result = run_tool('tools/model_converters/extract_backbone.py', src, str(tmp_path / 'o.pth'), '--to',
                          'torchvision')
        assert result.returncode == 2 and 'torchvision has no layout for it' in result.stderr
        assert 'Traceback' not in result.stderr

    @pytest.mark.parametrize('arch', ['resnet50', 'mobilenet_v2'])
    def test_strict_load_into_torchvision(self, arch, tmp_path):
        from mmjigsaw.converters.backbone_export import export_backbone
        backbone = (dict(type='mmdet.ResNet', depth=50, out_indices=(3, )) if arch == 'resnet50'
                    else dict(type='mmdet.MobileNetV2', out_indices=(7, )))
        src, model = _classifier_checkpoint(tmp_path, backbone)
        out = str(tmp_path / 'tv.pth')
        export_backbone(src, out, to='torchvision')
        reference = getattr(torchvision.models, arch)(num_classes=8)
        reference.load_state_dict(torch.load(out, weights_only=True), strict=True)
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            dense = model.eval()(x, mode='tensor').mean((2, 3))
            torch.testing.assert_close(reference.eval()(x), dense, rtol=1e-4, atol=1e-4)


def _tiny_swin_detector(folder, out_indices):
    """A Mask R-CNN Swin config of this repository with a narrow Swin taking ``out_indices``."""
    path = osp.join(str(folder), f'det_{len(out_indices)}.py')
    with open(path, 'w') as f:
        f.write(f"_base_ = '{ROOT}/configs/det/mask-rcnn_swin-t-p4-w7_fpn_jigsaw-pre_8xb2-13e_coco.py'\n"
                f'model = dict(backbone=dict(embed_dims=16, depths=[1, 1, 2, 1], num_heads=[1, 1, 2, 2], '
                f'out_indices={tuple(out_indices)}))\n')
    return path


class TestDetectorFit:

    SWIN = dict(type='mmdet.SwinTransformer', embed_dims=16, depths=[1, 1, 2, 1], num_heads=[1, 1, 2, 2],
                out_indices=(0, 1, 2, 3), convert_weights=False)

    def test_keys_only_pre_training_has_are_dropped_and_swin_keys_get_the_backbone_prefix(self, tmp_path):
        from mmjigsaw.converters.backbone_export import export_backbone
        src, model = _classifier_checkpoint(tmp_path, self.SWIN)
        out = str(tmp_path / 'b.pth')
        result = export_backbone(src, out, detector=_tiny_swin_detector(tmp_path, (1, 2, 3)))
        assert result.dropped == ['norm0.weight', 'norm0.bias']
        state = torch.load(out, weights_only=True)
        assert all(k.startswith('backbone.') for k in state)
        with DefaultScope.overwrite_default_scope('mmdet'):
            detector_swin = MMDET_MODELS.build(dict(self.SWIN, type='SwinTransformer', out_indices=(1, 2, 3),
                                                    init_cfg=ConfigDict(type='Pretrained', checkpoint=out)))
        detector_swin.load_state_dict({k[len('backbone.'):]: v for k, v in state.items()}, strict=True)
        detector_swin.init_weights()  # mmdet's Swin loader reads the 'backbone.' keys
        torch.testing.assert_close(detector_swin.norm3.weight, model.backbone.norm3.weight, rtol=0, atol=0)

    @pytest.mark.slow  # starts a process
    def test_a_backbone_narrower_than_the_detectors_is_refused(self, tmp_path):
        src, _ = _classifier_checkpoint(tmp_path, dict(self.SWIN, embed_dims=8))
        result = run_tool('tools/model_converters/extract_backbone.py', src, str(tmp_path / 'o.pth'), '--detector',
                          _tiny_swin_detector(tmp_path, (0, 1, 2, 3)))
        assert result.returncode == 2 and 'does not fit' in result.stderr and 'of another shape' in result.stderr
        assert not (tmp_path / 'o.pth').exists()
