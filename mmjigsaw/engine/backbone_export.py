"""Turning a pre-training checkpoint into a tensor-only backbone checkpoint for mmdet."""
from collections import OrderedDict
from typing import Dict

import torch

from mmjigsaw.utils import DataError
from .checkpoint import load_checkpoint_safely

BACKBONE_PREFIX = 'backbone.'


def extract_backbone_state(checkpoint: Dict) -> 'OrderedDict[str, torch.Tensor]':
    """The ``backbone.*`` tensors of a runner checkpoint (or a bare state dict), prefix removed: the
    key names of the same backbone in a detector (mmdet ResNet ``conv1.weight``,
    ``layer1.0.bn1.running_mean``; mmdet MobileNetV2 ``conv1.conv.weight``,
    ``layer7.0.linear_conv.bn.running_var``, ``conv2.bn.weight``; ...). The keys do not depend on
    ``out_indices``, so a backbone pre-trained with only its deepest output loads into the
    detector's multi-level one."""
    state = checkpoint.get('state_dict', checkpoint)
    backbone = OrderedDict((k[len(BACKBONE_PREFIX):], v.detach().cpu().clone())
                           for k, v in state.items() if k.startswith(BACKBONE_PREFIX))
    if not backbone:
        raise DataError(f'no "{BACKBONE_PREFIX}*" weights in the checkpoint (keys start with '
                        f'{sorted({k.split(".")[0] for k in state})}); is it a JigsawClassifier checkpoint?')
    return backbone


def export_backbone(src: str, dst: str) -> int:
    """Write the backbone of ``src`` to ``dst`` as a plain dict of tensors; returns the tensor count."""
    state = extract_backbone_state(load_checkpoint_safely(src))
    torch.save(state, dst)
    return len(state)
