"""MobileNetV2 between torchvision's key layout and mmdet's (``mmdet.MobileNetV2``).

torchvision (``torchvision.models.mobilenet_v2``)     mmdet (``mmdet.MobileNetV2``)
  features.0.{0,1}         stem conv, BN               conv1.{conv,bn}
  features.{n}.conv.*      inverted residual n=1..17   layer{i}.{j}.{expand_conv,depthwise_conv,linear_conv}.{conv,bn}
  features.18.{0,1}        1x1 conv to 1280, BN        conv2.{conv,bn}
  classifier.1             ImageNet FC                 (none: dropped)

Inside a block torchvision numbers its modules: with an expansion (t != 1) ``conv.0`` is the
expand ConvBNReLU, ``conv.1`` the depthwise one, ``conv.2`` / ``conv.3`` the linear conv and its
BN; without (the first block, t = 1) the depthwise ConvBNReLU is ``conv.0`` and the linear conv
and BN are ``conv.1`` / ``conv.2``. The block layout is mmdet's ``MobileNetV2.arch_settings``, the
same as torchvision's ``inverted_residual_setting``.
"""
from collections import OrderedDict
from typing import List, Mapping, Tuple

import torch

from .key_mapping import invert, rename_keys

#: (expand ratio t, channels c, blocks n, stride s) of the seven stages, as in the paper and both libraries
ARCH_SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2),
                 (6, 320, 1, 1))
#: torchvision's ImageNet classifier, which has no counterpart in a detection backbone
TORCHVISION_CLASSIFIER = 'classifier'


def mobilenet_v2_module_pairs() -> List[Tuple[str, str]]:
    """(torchvision module, mmdet module) pairs of every conv and BN of MobileNetV2."""
    pairs = [('features.0.0', 'conv1.conv'), ('features.0.1', 'conv1.bn')]
    index = 1
    for stage, (expand, _, blocks, _) in enumerate(ARCH_SETTINGS, start=1):
        for block in range(blocks):
            tv, mm = f'features.{index}.conv', f'layer{stage}.{block}'
            if expand != 1:
                pairs += [(f'{tv}.0.0', f'{mm}.expand_conv.conv'), (f'{tv}.0.1', f'{mm}.expand_conv.bn')]
            first = 1 if expand != 1 else 0
            pairs += [(f'{tv}.{first}.0', f'{mm}.depthwise_conv.conv'), (f'{tv}.{first}.1', f'{mm}.depthwise_conv.bn'),
                      (f'{tv}.{first + 1}', f'{mm}.linear_conv.conv'), (f'{tv}.{first + 2}', f'{mm}.linear_conv.bn')]
            index += 1
    pairs += [(f'features.{index}.0', 'conv2.conv'), (f'features.{index}.1', 'conv2.bn')]
    return pairs


def torchvision_to_mmdet_mobilenet_v2(state: Mapping[str, torch.Tensor],
                                      source: str = 'torchvision MobileNetV2 weights'
                                      ) -> 'OrderedDict[str, torch.Tensor]':
    """torchvision MobileNetV2 state dict -> ``mmdet.MobileNetV2`` key names (classifier dropped)."""
    return rename_keys(state, mobilenet_v2_module_pairs(), drop=(TORCHVISION_CLASSIFIER,), source=source)


def mmdet_to_torchvision_mobilenet_v2(state: Mapping[str, torch.Tensor],
                                      source: str = 'mmdet MobileNetV2 weights'
                                      ) -> 'OrderedDict[str, torch.Tensor]':
    """``mmdet.MobileNetV2`` state dict -> torchvision's ``features.*`` key names.

    The result has no ``classifier.*``: a backbone has no ImageNet classifier, so it loads
    ``strict=True`` into ``torchvision.models.mobilenet_v2().features`` after dropping the
    ``features.`` prefix, or into the whole model with the classifier taken from elsewhere.
    """
    return rename_keys(state, invert(mobilenet_v2_module_pairs()), source=source)
