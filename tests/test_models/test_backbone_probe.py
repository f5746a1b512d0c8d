"""The head fits the backbone's real deepest output: in_channels inferred, stride checked, one-line refusals."""
import pytest
import torch

from mmjigsaw.errors import ConfigError
from mmjigsaw.models.backbone_probe import fit_head_to_backbone, probe_backbone
from mmjigsaw.registry import MODELS

HEAD = dict(type='DenseERFHead', num_classes=3)


def _classifier(backbone, **head):
    return MODELS.build(dict(type='JigsawClassifier', backbone=backbone, head={**HEAD, **head}))


class TestInChannelsInference:

    def test_in_channels_read_from_the_deepest_output(self):
        model = _classifier(dict(type='mmdet.ResNet', depth=18, base_channels=8, out_indices=(3, )))
        assert model.head.conv.in_channels == 64
        model = _classifier(dict(type='mmdet.MobileNetV2', widen_factor=0.5, out_indices=(2, 7)))
        assert model.head.conv.in_channels == 1280  # only the last output feeds the head

    def test_explicit_in_channels_must_match(self):
        with pytest.raises(ConfigError, match='in_channels=32, but backbone mmdet.ResNet.* outputs 64'):
            _classifier(dict(type='mmdet.ResNet', depth=18, base_channels=8, out_indices=(3, )), in_channels=32)

    def test_probe_keeps_train_mode_and_bn_statistics(self):
        backbone = MODELS.build(dict(type='mmdet.MobileNetV2', widen_factor=0.5, out_indices=(7, )))
        backbone.train()
        before = {k: v.clone() for k, v in backbone.state_dict().items()}
        assert probe_backbone(backbone, 224) == (1280, (7, 7))
        assert all(m.training for m in backbone.modules())
        for key, value in backbone.state_dict().items():
            torch.testing.assert_close(value, before[key])


class TestStrideCheck:

    def test_a_stride_16_output_is_refused_in_one_line_naming_the_backbone(self):
        # MobileNetV2's index 4 (96 channels) has stride 16: 14 x 14 on the 224 canvas
        with pytest.raises(ConfigError) as err:
            _classifier(dict(type='mmdet.MobileNetV2', out_indices=(4, )))
        message = str(err.value)
        assert '\n' not in message
        assert 'mmdet.MobileNetV2' in message and '14x14' in message and 'stride 16' in message
        assert 'needs 7x7 (stride 32)' in message

    def test_template_other_than_224_is_checked_on_the_real_output(self):
        backbone = dict(type='mmdet.ResNet', depth=18, base_channels=8, out_indices=(3, ))
        model = _classifier(backbone, template=dict(canvas=128, cut=32))
        assert model.head.feature_shape == (4, 4)
        with pytest.raises(ConfigError, match='gives a 64x4x4 deepest map'):
            fit_head_to_backbone(dict(HEAD, template=dict(canvas=128, cut=32), stride=16),
                                 MODELS.build(backbone), backbone)

    def test_a_backbone_that_fails_on_the_canvas_is_refused(self):
        with pytest.raises(ConfigError, match='fails on a 224x224 canvas') as err:
            _classifier(dict(type='mmdet.ResNet', depth=18, in_channels=1, out_indices=(3, )))
        assert '\n' not in str(err.value)
