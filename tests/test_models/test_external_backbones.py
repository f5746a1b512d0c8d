"""TimmBackbone and TorchvisionBackbone: their feature maps, their exports in the libraries' own
layouts (loaded ``strict=True`` into ``timm.create_model`` / ``torchvision.models``), the local-weight
loading they share, and the one line a user sees where the library does not import."""
import os.path as osp
import sys

import pytest
import timm
import torch
import torchvision
from torch import nn

from mmjigsaw.converters.backbone_export import export_backbone
from mmjigsaw.errors import ConfigError, DataError
from mmjigsaw.models.backbones._external import load_into, load_local_weights
from mmjigsaw.models.backbones.torchvision_backbone import stage_ends
from mmjigsaw.registry import MODELS
from helpers import crafted_checkpoint


def pretrained_classifier(backbone: dict, folder) -> tuple:
    """A JigsawClassifier (7 object classes, dense ERF head) with ``backbone``, saved as a checkpoint."""
    model = MODELS.build(dict(type='JigsawClassifier', head=dict(type='DenseERFHead', num_classes=7),
                              backbone=backbone))
    path = str(folder / 'pretrain.pth')
    torch.save(dict(state_dict=model.state_dict()), path)
    return model, path


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
        with pytest.raises(DataError, match=r'refused: .* names io\.open'):
            load_local_weights(bad)
        assert not osp.exists(marker)

    def test_extra_keys_are_skipped_missing_ones_refused(self):
        model = nn.Sequential(nn.Conv2d(3, 4, 1))
        state = {'0.weight': torch.ones(4, 3, 1, 1), '0.bias': torch.ones(4), 'fc.weight': torch.ones(2)}
        assert load_into(model, state, 'w.pth') == ['fc.weight']
        torch.testing.assert_close(model[0].bias, torch.ones(4))
        with pytest.raises(DataError, match=r'w\.pth does not fit the model: 1 missing \(0\.bias\)\.'):
            load_into(model, {'0.weight': torch.ones(4, 3, 1, 1)}, 'w.pth')


@pytest.mark.parametrize('wrapper,kwargs,library', [('TimmBackbone', dict(model_name='convnext_atto'), 'timm'),
                                                    ('TorchvisionBackbone', dict(name='mobilenet_v2'), 'torchvision')])
def test_a_library_that_does_not_import_is_one_clear_line(wrapper, kwargs, library, monkeypatch):
    monkeypatch.setitem(sys.modules, library, None)  # what Python does for a module that failed to import
    with pytest.raises(ConfigError, match=f'{wrapper} needs {library}, which does not import here') as err:
        MODELS.build(dict(type=wrapper, **kwargs))
    assert '\n' not in str(err.value) and torch.__version__ in str(err.value)


class TestTorchvisionBackbone:

    @pytest.mark.parametrize('name,channels', [('resnet18', [64, 128, 256, 512]),
                                               ('resnet50', [256, 512, 1024, 2048]),
                                               ('mobilenet_v2', [24, 32, 96, 1280])])
    def test_four_levels_at_strides_4_to_32(self, name, channels):
        backbone = MODELS.build(dict(type='TorchvisionBackbone', name=name))
        feats = backbone(torch.zeros(1, 3, 224, 224))
        assert [f.shape[1] for f in feats] == channels
        assert [224 // f.shape[-1] for f in feats] == [4, 8, 16, 32]

    @pytest.mark.parametrize('name', ['resnet50', 'mobilenet_v2'])
    def test_export_loads_strictly_into_torchvision_with_the_head_as_classifier(self, name, tmp_path):
        model, src = pretrained_classifier(dict(type='TorchvisionBackbone', name=name, out_indices=(3, )), tmp_path)
        out = str(tmp_path / 'tv.pth')
        assert 'num_classes=8' in export_backbone(src, out, to='torchvision').note
        reference = getattr(torchvision.models, name)(num_classes=8)
        reference.load_state_dict(torch.load(out, weights_only=True), strict=True)
        x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            torch.testing.assert_close(reference.eval()(x), model.eval()(x, mode='tensor').mean((2, 3)),
                                       rtol=1e-4, atol=1e-4)

    def test_frozen_stages_and_norm_eval_hold_in_training(self):
        backbone = MODELS.build(dict(type='TorchvisionBackbone', name='resnet18', frozen_stages=1, norm_eval=True))
        backbone.train()
        assert not any(p.requires_grad for p in backbone.model.conv1.parameters())
        assert not any(p.requires_grad for p in backbone.model.layer1.parameters())
        assert all(p.requires_grad for p in backbone.model.layer2.parameters())
        assert not backbone.model.layer4[1].bn2.training and backbone.model.layer4[1].conv2.training


class TestTimmBackbone:

    @pytest.mark.parametrize('name,channels', [('convnext_atto', [40, 80, 160, 320]),
                                               ('resnet18', [64, 128, 256, 512])])
    def test_four_levels_at_strides_4_to_32(self, name, channels):
        backbone = MODELS.build(dict(type='TimmBackbone', model_name=name, out_indices=(1, 2, 3, 4)
                                     if name.startswith('resnet') else (0, 1, 2, 3)))
        feats = backbone(torch.zeros(1, 3, 224, 224))
        assert [f.shape[1] for f in feats] == channels
        assert [224 // f.shape[-1] for f in feats] == [4, 8, 16, 32]

    @pytest.mark.parametrize('name,deepest', [('convnext_atto', 3), ('resnet18', 4)])
    def test_export_loads_strictly_into_timm(self, name, deepest, tmp_path):
        model, src = pretrained_classifier(dict(type='TimmBackbone', model_name=name, out_indices=(deepest, )),
                                           tmp_path)
        assert model.head.feature_shape == (7, 7)
        out = str(tmp_path / 'timm.pth')
        export_backbone(src, out, to='timm')
        reference = timm.create_model(name, pretrained=False, num_classes=0)
        reference.load_state_dict(torch.load(out, weights_only=True), strict=True)
        x = torch.randn(1, 3, 224, 224, generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            torch.testing.assert_close(reference.eval().forward_features(x), model.eval().extract_feat(x)[-1])

    def test_local_weights_load_through_the_checkpoint_argument(self, tmp_path):
        source = timm.create_model('convnext_atto', pretrained=False, num_classes=10)  # with a classifier
        path = str(tmp_path / 'w.pth')
        torch.save(dict(state_dict={f'module.{k}': v for k, v in source.state_dict().items()}), path)
        backbone = MODELS.build(dict(type='TimmBackbone', model_name='convnext_atto', checkpoint=path))
        backbone.init_weights()
        for key, value in backbone.model.state_dict().items():
            torch.testing.assert_close(value, source.state_dict()[key], rtol=0, atol=0, msg=key)


@pytest.mark.parametrize('wrapper', [dict(type='TimmBackbone', model_name='convnext_atto'),
                                     dict(type='TorchvisionBackbone', name='resnet18')])
def test_init_cfg_pretrained_loads_the_wrappers_weights_as_mmdet_configs_do(wrapper, tmp_path):
    """A detector config's ``init_cfg=dict(type='Pretrained', checkpoint=export)`` loads every tensor."""
    source = MODELS.build(wrapper)
    path = str(tmp_path / 'backbone.pth')
    torch.save({k: torch.full_like(v, 0.5) if v.is_floating_point() else v for k, v in source.state_dict().items()},
               path)
    backbone = MODELS.build(dict(wrapper, init_cfg=dict(type='Pretrained', checkpoint=path)))
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        if value.is_floating_point():
            assert (value == 0.5).all(), key
