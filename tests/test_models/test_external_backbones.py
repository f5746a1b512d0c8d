"""TimmBackbone and TorchvisionBackbone: their torch-only parts always; the wrappers themselves
where timm / torchvision import (a torchvision wheel built for another torch does not)."""
import os.path as osp

import pytest
import torch
from torch import nn

from mmjigsaw.models.backbones._external import load_into, load_local_weights
from mmjigsaw.models.backbones.torchvision_backbone import stage_ends
from mmjigsaw.registry import MODELS
from mmjigsaw.utils import ConfigError, DataError
from helpers import crafted_checkpoint


def _library(name):
    try:
        return __import__(name)
    except Exception as err:  # noqa: BLE001 - a CUDA-linked torchvision raises RuntimeError with a CPU torch
        pytest.skip(f'{name} does not import here: {type(err).__name__}: {str(err)[:100]}')


class TestStageEnds:

    def test_last_module_of_each_stride_from_4_on(self):
        strides = [2, 1, 2, 1, 1, 2, 2, 1, 2]  # cumulative 2 2 4 4 4 8 16 16 32
        features = nn.Sequential(*[nn.Conv2d(3, 3, 3, stride=s, padding=1) for s in strides])
        assert stage_ends(features, size=64) == [4, 5, 7, 8]


class TestLocalWeights:

    def test_prefixes_and_containers_are_unwrapped(self, tmp_path):
        path = str(tmp_path / 'w.pth')
        state = {'module.backbone.conv.weight': torch.ones(2), 'module.backbone.fc.bias': torch.zeros(1)}
        torch.save({'state_dict': state}, path)
        assert list(load_local_weights(path)) == ['conv.weight', 'fc.bias']

    def test_a_pickle_that_would_run_code_is_refused(self, tmp_path):
        bad, marker = crafted_checkpoint(str(tmp_path))
        with pytest.raises(DataError, match='not a tensor-only checkpoint'):
            load_local_weights(bad)
        assert not osp.exists(marker)

    def test_extra_keys_are_skipped_missing_ones_refused(self):
        model = nn.Sequential(nn.Conv2d(3, 4, 1))
        state = {'0.weight': torch.ones(4, 3, 1, 1), '0.bias': torch.ones(4), 'fc.weight': torch.ones(2)}
        assert load_into(model, state, 'w.pth') == ['fc.weight']
        torch.testing.assert_close(model[0].bias, torch.ones(4))
        with pytest.raises(DataError, match='1 missing keys'):
            load_into(model, {'0.weight': torch.ones(4, 3, 1, 1)}, 'w.pth')


def test_missing_library_is_one_clear_line():
    for wrapper, kwargs, library in (('TimmBackbone', dict(model_name='convnext_atto'), 'timm'),
                                     ('TorchvisionBackbone', dict(name='mobilenet_v2'), 'torchvision')):
        try:
            __import__(library)
            continue
        except Exception:  # noqa: BLE001
            pass
        with pytest.raises(ConfigError, match=f'{wrapper} needs {library}') as err:
            MODELS.build(dict(type=wrapper, **kwargs))
        assert '\n' not in str(err.value)


class TestTorchvisionBackbone:

    @pytest.mark.parametrize('name,channels', [('resnet18', [64, 128, 256, 512]),
                                               ('mobilenet_v2', [24, 32, 96, 1280])])
    def test_four_levels_at_strides_4_to_32(self, name, channels):
        _library('torchvision')
        backbone = MODELS.build(dict(type='TorchvisionBackbone', name=name))
        feats = backbone(torch.zeros(1, 3, 224, 224))
        assert [f.shape[1] for f in feats] == channels
        assert [224 // f.shape[-1] for f in feats] == [4, 8, 16, 32]

    def test_export_loads_strictly_into_torchvision_with_the_head_as_classifier(self, tmp_path):
        torchvision = _library('torchvision')
        from mmjigsaw.models.converters.backbone_export import export_backbone
        model = MODELS.build(dict(type='JigsawClassifier', head=dict(type='DenseERFHead', num_classes=7),
                                  backbone=dict(type='TorchvisionBackbone', name='mobilenet_v2', out_indices=(3, ))))
        src, out = str(tmp_path / 'p.pth'), str(tmp_path / 'tv.pth')
        torch.save(dict(state_dict=model.state_dict()), src)
        export_backbone(src, out, to='torchvision')
        reference = torchvision.models.mobilenet_v2(num_classes=8)
        reference.load_state_dict(torch.load(out, weights_only=True), strict=True)
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            torch.testing.assert_close(reference.eval()(x), model.eval()(x, mode='tensor').mean((2, 3)),
                                       rtol=1e-4, atol=1e-4)


class TestTimmBackbone:

    def test_export_loads_strictly_into_timm(self, tmp_path):
        timm = _library('timm')
        from mmjigsaw.models.converters.backbone_export import export_backbone
        model = MODELS.build(dict(type='JigsawClassifier', head=dict(type='DenseERFHead', num_classes=7),
                                  backbone=dict(type='TimmBackbone', model_name='convnext_atto', out_indices=(3, ))))
        assert model.head.feature_shape == (7, 7)
        src, out = str(tmp_path / 'p.pth'), str(tmp_path / 'timm.pth')
        torch.save(dict(state_dict=model.state_dict()), src)
        export_backbone(src, out, to='timm')
        reference = timm.create_model('convnext_atto', pretrained=False, num_classes=0)
        reference.load_state_dict(torch.load(out, weights_only=True), strict=True)
        x = torch.randn(1, 3, 224, 224)
        with torch.no_grad():
            torch.testing.assert_close(reference.eval().forward_features(x), model.eval().extract_feat(x)[-1])
