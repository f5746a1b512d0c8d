import torch
from mmengine.registry import MODELS as MMENGINE_MODELS

from mmjigsaw.registry import DATASETS, HOOKS, MODELS, TRANSFORMS


def test_registries_are_children_of_mmengine_roots():
    assert MODELS.parent is MMENGINE_MODELS
    assert MODELS.scope == 'mmjigsaw'


def test_builds_mmjigsaw_modules_by_plain_name():
    transform = TRANSFORMS.build(dict(type='JigsawAssemble', template=dict(canvas=224, cut=64)))
    assert type(transform).__name__ == 'JigsawAssemble'
    assert TRANSFORMS.build(dict(type='PackJigsawInputs')).__class__.__name__ == 'PackJigsawInputs'
    hook = HOOKS.build(dict(type='ERFUpdateHook', interval=7))
    assert hook.interval == 7
    head = MODELS.build(dict(type='DenseERFHead', num_classes=3, in_channels=8))
    assert head.conv.out_channels == 4
    assert DATASETS.get('MontageDataset').__name__ == 'MontageDataset'


def test_builds_mmdet_modules_with_prefix():
    backbone = MODELS.build(dict(type='mmdet.ResNet', depth=18, out_indices=(3, )))
    assert type(backbone).__module__.startswith('mmdet.')
    out = backbone(torch.zeros(1, 3, 64, 64))
    assert out[-1].shape == (1, 512, 2, 2)


def test_mmengine_modules_resolve_from_the_mmjigsaw_scope():
    hook = HOOKS.build(dict(type='IterTimerHook'))
    assert type(hook).__module__.startswith('mmengine.')
