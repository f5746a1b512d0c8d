"""A pre-trained backbone (mmdet key names) in torchvision's layout, with the montage head as its classifier.

torchvision's ``resnet*`` / ``resnext*`` share mmdet ResNet's key names (``conv1``, ``bn1``,
``layer1.0.downsample.0``, ...; mmdet loads ``torchvision://resnet50`` unchanged) and add the
classifier ``fc``; ``mobilenet_v2`` is renamed by :mod:`.mobilenet_v2` and adds ``classifier.1``.
The montage head is linear in the deepest feature map, so it becomes that classifier exactly: for
``DenseERFHead`` (1x1 conv) global average pooling followed by the conv's weights equals the average
of its dense logits; ``GlobalClsHead`` / ``BlockwiseClsHead`` already hold an FC. The result loads
``strict=True`` into ``torchvision.models.resnet50(num_classes=C + 1)`` /
``mobilenet_v2(num_classes=C + 1)``, C the montage object classes.
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional, Tuple

import torch

from mmjigsaw.errors import DataError
from .mobilenet_v2 import mmdet_to_torchvision_mobilenet_v2

#: every key of an mmdet ResNet / ResNeXt (pytorch or caffe style, plain stem) that torchvision also has
_RESNET_KEY = re.compile(r'^(conv1\.weight|bn1\.\w+|'
                         r'layer[1-4]\.\d+\.(conv[1-3]\.weight|bn[1-3]\.\w+|downsample\.[01]\.\w+))$')
#: keys of a backbone wrapper (TorchvisionBackbone, TimmBackbone) start with this; the rest is the library's layout
WRAPPED = 'model.'
#: the classifier of each torchvision architecture
TORCHVISION_CLASSIFIER = {'resnet': 'fc', 'mobilenet_v2': 'classifier.1'}


def torchvision_arch(backbone: Mapping[str, torch.Tensor]) -> str:
    """``'resnet'`` or ``'mobilenet_v2'`` from an mmdet backbone's key names; a
    :class:`DataError` for any other backbone."""
    keys = list(backbone)
    if keys and all(_RESNET_KEY.match(k) for k in keys) and 'layer4.0.conv1.weight' in backbone:
        return 'resnet'
    if 'conv2.conv.weight' in backbone and 'layer7.0.linear_conv.conv.weight' in backbone:
        return 'mobilenet_v2'
    odd = [k for k in keys if not _RESNET_KEY.match(k)][:3]
    raise DataError(f'--to torchvision: the backbone is neither an mmdet ResNet/ResNeXt with a plain stem '
                    f'nor a MobileNetV2 (keys such as {odd or keys[:3]}); torchvision has no layout for it. '
                    'Export it with mmdet key names (the default).')


def head_as_classifier(state: Mapping[str, torch.Tensor]) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
    """(weight (C+1, C_in), bias (C+1,)) of the montage head of a JigsawClassifier state dict, or
    ``None`` where the checkpoint has no linear head."""
    for name in ('head.conv', 'head.fc'):
        if f'{name}.weight' in state:
            weight = state[f'{name}.weight'].detach().cpu()
            return weight.reshape(weight.shape[0], -1).clone(), state[f'{name}.bias'].detach().cpu().clone()
    return None


def to_torchvision_layout(backbone: Mapping[str, torch.Tensor],
                          classifier: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
                          ) -> Tuple['OrderedDict[str, torch.Tensor]', str]:
    """Rename an mmdet ResNet or MobileNetV2 state dict to torchvision's keys and append the classifier.

    Args:
        backbone: the backbone's tensors, mmdet key names.
        classifier: (weight, bias) of a linear classifier on the pooled deepest feature map.
    Returns:
        (state dict, architecture name).
    """
    if backbone and all(k.startswith(WRAPPED) for k in backbone):  # TorchvisionBackbone: already torchvision's
        out = unwrap(backbone)
        arch = ('resnet' if all(_RESNET_KEY.match(k) for k in out) else
                'mobilenet_v2' if 'features.18.0.weight' in out and 'features.1.conv.0.0.weight' in out else None)
    else:
        arch = torchvision_arch(backbone)
        out = (OrderedDict((k, v.detach().cpu().clone()) for k, v in backbone.items()) if arch == 'resnet'
               else mmdet_to_torchvision_mobilenet_v2(backbone))
    if classifier is not None and arch is not None:
        weight, bias = classifier
        name = TORCHVISION_CLASSIFIER[arch]
        out[f'{name}.weight'], out[f'{name}.bias'] = weight, bias
    return out, arch


def unwrap(backbone: Mapping[str, torch.Tensor]) -> 'OrderedDict[str, torch.Tensor]':
    """The library's own key names of a TimmBackbone / TorchvisionBackbone state (``model.`` removed)."""
    if not backbone or not all(k.startswith(WRAPPED) for k in backbone):
        raise DataError(f'the backbone\'s keys do not all start with "{WRAPPED}" (e.g. {list(backbone)[:2]}): '
                        'it is not a TimmBackbone / TorchvisionBackbone.')
    return OrderedDict((k[len(WRAPPED):], v.detach().cpu().clone()) for k, v in backbone.items())


def describe(arch: Optional[str], state: Dict[str, torch.Tensor]) -> str:
    """How to load a result of :func:`to_torchvision_layout`, for the tools' output."""
    if arch is None:
        return ('torchvision layout of the TorchvisionBackbone\'s model without its classifier: loads with '
                'strict=False into torchvision.models.get_model(name) (only the classifier missing)')
    name = TORCHVISION_CLASSIFIER[arch]
    if f'{name}.weight' not in state:
        return (f'torchvision {arch} layout without classifier: load with strict=False '
                f'(only {name}.* missing)')
    classes = state[f'{name}.weight'].shape[0]
    model = 'resnet18/34/50/101/152 (whichever depth)' if arch == 'resnet' else 'mobilenet_v2'
    return (f'torchvision {arch} layout, classifier {name} from the montage head: loads strict=True into '
            f'torchvision.models.{model}(num_classes={classes})')
