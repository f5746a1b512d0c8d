"""torchvision's ImageNet MobileNetV2 -> mmdet MobileNetV2 key names: sha256-checked, exact, tensor-only."""
import os.path as osp
import shutil

import pytest
import torch
import torchvision
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.registry import DefaultScope

from mmjigsaw.converters import (IMAGENET_WEIGHTS, imagenet_weights_path, mmdet_to_torchvision_mobilenet_v2,
                                 torchvision_to_mmdet_mobilenet_v2)
from mmjigsaw.utils import file_sha256
from helpers import run_tool


def _mmdet_mobilenet_v2(**kwargs):
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MMDET_MODELS.build(dict(type='MobileNetV2', widen_factor=1.0, out_indices=(1, 2, 4, 7), **kwargs))


@pytest.fixture(scope='module')
def imagenet_file():
    return imagenet_weights_path('mobilenet_v2')


def test_the_installed_file_is_torchvisions_published_one(imagenet_file):
    assert osp.basename(imagenet_file) == 'mobilenet_v2-b0353104.pth'
    assert file_sha256(imagenet_file).startswith('b03531047ffa')
    assert file_sha256(imagenet_file) == IMAGENET_WEIGHTS['mobilenet_v2'].sha256


@pytest.mark.slow  # a process that imports mmdet
def test_cli_converts_the_imagenet_file_and_it_loads_through_init_cfg(imagenet_file, tmp_path):
    out = str(tmp_path / 'mobilenetv2_imagenet.pth')
    result = run_tool('tools/model_converters/torchvision2mmdet.py', '--arch', 'mobilenet_v2', '--imagenet', out)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'sha256 b03531047ffa' in result.stdout and '312 tensors' in result.stdout
    state = torch.load(out, weights_only=True)
    source = torch.load(imagenet_file, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    # every source tensor but the ImageNet classifier, once each
    assert len(state) == len(source) - 2 and not any(k.startswith('classifier') for k in source if k in state)
    for mm, tv in [('conv1.conv.weight', 'features.0.0.weight'),
                   ('layer1.0.depthwise_conv.conv.weight', 'features.1.conv.0.0.weight'),
                   ('layer1.0.linear_conv.bn.running_var', 'features.1.conv.2.running_var'),
                   ('layer2.0.expand_conv.conv.weight', 'features.2.conv.0.0.weight'),
                   ('layer2.1.depthwise_conv.bn.bias', 'features.3.conv.1.1.bias'),
                   ('layer6.2.linear_conv.conv.weight', 'features.16.conv.2.weight'),
                   ('layer7.0.linear_conv.bn.running_mean', 'features.17.conv.3.running_mean'),
                   ('conv2.bn.weight', 'features.18.1.weight')]:
        torch.testing.assert_close(state[mm], source[tv], rtol=0, atol=0)

    backbone = _mmdet_mobilenet_v2(init_cfg=dict(type='Pretrained', checkpoint=out))
    backbone.load_state_dict(state, strict=True)  # no missing, no unexpected keys
    backbone.conv1.conv.weight.data.zero_()
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, state[key], rtol=0, atol=0)


@pytest.mark.slow  # a process that imports mmdet
def test_a_file_with_the_wrong_sha256_is_refused(imagenet_file, tmp_path):
    bad = tmp_path / 'mobilenet_v2-b0353104.pth'
    shutil.copy(imagenet_file, bad)
    with open(bad, 'r+b') as f:  # one byte changed
        f.seek(-1, 2)
        last = f.read(1)
        f.seek(-1, 2)
        f.write(bytes([last[0] ^ 1]))
    result = run_tool('tools/model_converters/torchvision2mmdet.py', '--arch', 'mobilenet_v2', str(bad),
                      str(tmp_path / 'out.pth'))
    assert result.returncode == 2 and 'sha256' in result.stderr and 'Traceback' not in result.stderr
    assert not (tmp_path / 'out.pth').exists()


def test_mapping_covers_the_real_file_both_ways(imagenet_file):
    source = torch.load(imagenet_file, weights_only=True)
    mmdet_state = torchvision_to_mmdet_mobilenet_v2(source)
    assert set(mmdet_state) == set(_mmdet_mobilenet_v2().state_dict())
    back = mmdet_to_torchvision_mobilenet_v2(mmdet_state)
    assert list(back) == [k for k in source if not k.startswith('classifier.')]
    for key, value in back.items():
        torch.testing.assert_close(value, source[key], rtol=0, atol=0)


def test_unknown_keys_are_refused_not_dropped():
    from mmjigsaw.errors import DataError
    state = _mmdet_mobilenet_v2().state_dict()
    state['layer8.0.conv.weight'] = torch.zeros(1)
    with pytest.raises(DataError, match='layer8.0.conv.weight'):
        mmdet_to_torchvision_mobilenet_v2(state)


def _imagenet_input(path: str) -> torch.Tensor:
    """torchvision's ImageNet evaluation transform: shorter side 256, centre crop 224, RGB mean/std."""
    import cv2
    import numpy as np
    img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB)
    scale = 256 / min(img.shape[:2])
    img = cv2.resize(img, (round(img.shape[1] * scale), round(img.shape[0] * scale)), interpolation=cv2.INTER_LINEAR)
    y, x = (img.shape[0] - 224) // 2, (img.shape[1] - 224) // 2
    img = (img[y:y + 224, x:x + 224].astype(np.float32) - (123.675, 116.28, 103.53)) / (58.395, 57.12, 57.375)
    return torch.from_numpy(img.transpose(2, 0, 1).copy()).float()[None]


@pytest.fixture(scope='module')
def photo():
    """matplotlib's sample photo of Grace Hopper through torchvision's ImageNet evaluation transform."""
    from matplotlib import cbook
    return _imagenet_input(str(cbook.get_sample_data('grace_hopper.jpg', asfileobj=False)))


def test_converted_backbone_computes_torchvisions_features_on_a_photo(imagenet_file, photo):
    """torchvision's own mobilenet_v2 with the published weights and the converted mmdet backbone give
    the same feature maps at every level the detector reads (strides 4, 8, 16, 32)."""
    reference = torchvision.models.mobilenet_v2().eval()
    reference.load_state_dict(torch.load(imagenet_file, weights_only=True), strict=True)
    backbone = _mmdet_mobilenet_v2()
    backbone.load_state_dict(torchvision_to_mmdet_mobilenet_v2(reference.state_dict()), strict=True)
    backbone.eval()  # mmdet's MobileNetV2.train() returns None
    with torch.no_grad():
        ours = backbone(photo)
        x, theirs = photo, []
        for i, block in enumerate(reference.features):  # torchvision's blocks 3, 6, 13, 18 end each stride
            x = block(x)
            if i in (3, 6, 13, 18):
                theirs.append(x)
    assert [f.shape[-1] for f in ours] == [56, 28, 14, 7]
    for level, (a, b) in enumerate(zip(ours, theirs)):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-4, msg=f'level {level}')


def test_converted_imagenet_backbone_recognises_a_photo(imagenet_file, photo):
    """The converted backbone + the file's own ImageNet classifier see what torchvision's model sees
    in the photo (bow tie 457 first; military uniform 652, mortarboard 667, suit 834 in the top 5),
    with torchvision's probabilities: the weights compute features, not just load. Swapping two
    residual blocks of a stage, which every key/shape check accepts, moves the top-1 to 652."""
    from mmjigsaw.converters import convert_imagenet_weights
    backbone = _mmdet_mobilenet_v2()
    backbone.load_state_dict(convert_imagenet_weights('mobilenet_v2'), strict=True)
    source = torch.load(imagenet_file, weights_only=True)
    reference = torchvision.models.mobilenet_v2().eval()
    reference.load_state_dict(source, strict=True)
    backbone.eval()  # mmdet's MobileNetV2.train() returns None
    with torch.no_grad():
        pooled = backbone(photo)[-1].mean((2, 3))
        expected = reference(photo).softmax(-1)[0]
    probs = (pooled @ source['classifier.1.weight'].T + source['classifier.1.bias']).softmax(-1)[0]
    top5 = probs.topk(5).indices.tolist()
    assert top5[0] == 457 and {652, 667, 834} <= set(top5), top5
    torch.testing.assert_close(probs, expected, rtol=1e-4, atol=1e-5)
    assert probs[457].item() == pytest.approx(0.363, abs=0.01)
