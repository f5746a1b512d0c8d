"""The deepest feature map of a backbone's output, and eval mode that gives the modes back."""
import pytest
import torch
from torch import nn

from mmjigsaw.models.utils import deepest_feature, eval_mode


def test_deepest_feature_is_the_last_4d_map():
    a, b = torch.zeros(1, 2, 8, 8), torch.zeros(1, 4, 4, 4)
    assert deepest_feature((a, b)) is b and deepest_feature([a, b]) is b and deepest_feature(a) is a
    with pytest.raises(TypeError, match=r'Tensor \(1, 4\), not an \(N, C, H, W\) feature map'):
        deepest_feature((a, torch.zeros(1, 4)))


def test_eval_mode_freezes_bn_statistics_and_restores_each_mode_even_after_an_error():
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4), nn.Dropout())
    model.train()
    model[2].eval()  # mixed modes come back as they were
    with eval_mode(model):
        assert not any(m.training for m in model.modules())
        model(torch.randn(2, 3, 4, 4) + 5)
    assert [m.training for m in model.modules()] == [True, True, True, False]
    torch.testing.assert_close(model[1].running_mean, torch.zeros(4))  # eval-mode BN moved nothing
    with pytest.raises(RuntimeError), eval_mode(model):
        raise RuntimeError
    assert [m.training for m in model.modules()] == [True, True, True, False]
