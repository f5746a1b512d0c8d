"""The timm detector pair (configs/det/faster-rcnn_timm-convnext-t_fpn_{jigsaw-pre,scratch}_*.py) as a
user runs it, at toy size: a Montage pre-training of the same (narrowed) timm ConvNeXt, its export
with extract_backbone.py's default layout, then each detector config trains two iterations on the demo
images and is evaluated with COCO box AP. The pre-trained one must start from the export, the scratch
one from timm's random initialisation.

Each detector config is inherited unchanged except for what makes it tiny: the backbone narrowed like
the pre-training (timm's ``dims`` / ``depths``), a narrow FPN and heads, 128 px images, the demo data.
"""
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import Runner

from mmjigsaw.converters.backbone_export import export_backbone
from helpers import ROOT, in_process_run, tiny_pretrain

pytestmark = pytest.mark.usefixtures('one_torch_thread')

PRETRAIN = 'configs/jigsaw/jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco.py'
DETECTOR = osp.join(ROOT, 'configs', 'det', 'faster-rcnn_timm-convnext-t_fpn_{}_8xb2-13e_coco.py')
NARROW = dict(dims=(8, 16, 32, 64), depths=(1, 1, 1, 1))  # timm ConvNeXt arguments: same layout, fewer channels

DEMO_DATA = osp.join(ROOT, 'configs', '_base_', 'datasets', 'demo_detection.py')
# narrow FPN and heads for the narrowed backbone's 8, 16, 32, 64 channels; the demo's 7 classes
TINY_MODEL = dict(
    backbone=NARROW,
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    rpn_head=dict(in_channels=16, feat_channels=16),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=16),
                  bbox_head=dict(in_channels=16, fc_out_channels=32, num_classes=7)))


@pytest.fixture(scope='module')
def export(demo_store, tmp_path_factory):
    """The narrowed ConvNeXt pre-trained two iterations and exported as extract_backbone.py writes it."""
    work_dir = tmp_path_factory.mktemp('timm_pretrain')
    runner, checkpoint = tiny_pretrain(PRETRAIN, demo_store, work_dir / 'run', backbone=NARROW,
                                       template=dict(canvas=128, cut=32))
    assert runner.iter == 2
    out = str(work_dir / 'backbone.pth')
    export_backbone(checkpoint, out)
    return out


def tiny_detector(variant: str, demo_root: str) -> Config:
    """The detector config with TINY_MODEL, trained one epoch (2 iterations of 8) and evaluated on the
    demo fixture's images through configs/_base_/datasets/demo_detection.py, resized to 128 px."""
    cfg = Config.fromfile(DETECTOR.format(variant))
    cfg.merge_from_dict(dict(model=TINY_MODEL))
    demo = Config.fromfile(DEMO_DATA)
    for split, batch_size in (('train', 8), ('val', 2), ('test', 2)):
        loader = demo[f'{split}_dataloader']
        loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False)
        loader.dataset.data_root = demo_root + '/'
        for step in loader.dataset.pipeline:
            if step.type == 'Resize':
                step.scale = (128, 128)
        cfg[f'{split}_dataloader'] = loader
    for split in ('val', 'test'):
        cfg[f'{split}_evaluator'] = dict(demo[f'{split}_evaluator'],
                                         ann_file=osp.join(demo_root, 'annotations', 'instances_val.json'))
    cfg.train_cfg.max_epochs = 1
    cfg.default_hooks.logger.interval = 1
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    return cfg


def initialised_backbone(cfg: Config) -> dict:
    """The detector's backbone weights after mmengine's init_weights, as a Runner starts training."""
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MMDET_MODELS.build(cfg.model)
    detector.init_weights()
    return detector.backbone.state_dict()


@pytest.mark.slow  # about 30 s on 2 cores
@pytest.mark.parametrize('variant', ['jigsaw-pre', 'scratch'])
def test_trains_two_iterations_and_evaluates(variant, export, demo_root, tmp_path):
    cfg = tiny_detector(variant, demo_root)
    exported = torch.load(export, weights_only=True)
    if variant == 'jigsaw-pre':  # TimmBackbone loads its `checkpoint` argument
        assert cfg.model.backbone.checkpoint.endswith('/backbone.pth')
        cfg.model.backbone.checkpoint = export  # the config's own work_dirs path, here the test's
    else:
        assert cfg.model.backbone.checkpoint is None

    weights = initialised_backbone(cfg)
    assert list(weights) == list(exported)  # the export has exactly the detector backbone's keys
    if variant == 'jigsaw-pre':
        for key, value in exported.items():
            torch.testing.assert_close(weights[key], value, rtol=0, atol=0, msg=key)
    else:  # timm's random initialisation: no kernel is the pre-trained one
        kernels = [k for k, v in exported.items() if v.dim() >= 2]
        assert kernels and not any(torch.equal(weights[k], exported[k]) for k in kernels)

    in_process_run(cfg, tmp_path / 'run')
    runner = Runner.from_cfg(cfg)
    runner.train()  # one epoch, evaluated at its end
    assert runner.iter == 2
    assert torch.isfinite(torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    box_ap = runner.message_hub.get_scalar('val/coco/bbox_mAP').current()  # pycocotools' box AP
    assert isinstance(box_ap, float) and 0.0 <= box_ap <= 1.0
