"""Every supported mmdet backbone family, and the timm and torchvision models of configs/jigsaw/ (through
mmjigsaw's TimmBackbone / TorchvisionBackbone): its pre-training config builds, trains two iterations
on the tiny store, refreshes its ERF table, exports, and the export loads strictly into the backbone of
the detector its users fine-tune (as that detector loads it: init_cfg, or the wrappers' checkpoint).

The architectures are narrowed (same family, strides and module layout; fewer channels and blocks)
and the canvas is 128 px cut at 32 (a 4 x 4 map at stride 32), so the whole set runs in about a
minute on 2 CPU cores; the same overrides go into the pre-training
and the detector backbone, so the strict load checks the real key layout of each family.
"""
import os.path as osp

import pytest
import torch
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmjigsaw.converters.backbone_export import (BACKBONE_PREFIX, export_backbone, extract_backbone_state,
                                                 fit_to_backbone)
from mmjigsaw.engine import load_checkpoint_safely
from helpers import ROOT, assert_erf_table_refreshed, tiny_pretrain

pytestmark = pytest.mark.usefixtures('one_torch_thread')

TINY_HRNET = dict(extra=dict(
    stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(1, ), num_channels=(8, )),
    stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(1, 1), num_channels=(8, 16)),
    stage3=dict(num_modules=1, num_branches=3, block='BASIC', num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
    stage4=dict(num_modules=1, num_branches=4, block='BASIC', num_blocks=(1, 1, 1, 1),
                num_channels=(8, 16, 32, 64))))

# (id, pre-training config, narrowing overrides, detector config whose backbone loads the export)
ZOO = [
    ('resnet', 'jigsaw_resnet50_8xb64-coslr-64k_coco.py', dict(depth=18, base_channels=8),
     'configs/det/faster-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py'),
    ('resnext', 'jigsaw_resnext101-64x4d_8xb64-coslr-64k_coco.py', dict(depth=50, groups=2, base_width=4,
                                                                        base_channels=8),
     'mmdet::faster_rcnn/faster-rcnn_x101-64x4d_fpn_1x_coco.py'),
    ('res2net', 'jigsaw_res2net101-w26-s4_8xb64-coslr-64k_coco.py',
     dict(depth=50, scales=2, base_width=4, base_channels=8),
     'mmdet::res2net/faster-rcnn_res2net-101_fpn_2x_coco.py'),
    ('resnest', 'jigsaw_resnest50_8xb64-coslr-64k_coco.py', dict(base_channels=16, stem_channels=16),
     'mmdet::resnest/faster-rcnn_s50_fpn_syncbn-backbone+head_ms-range-1x_coco.py'),
    ('regnet', 'jigsaw_regnetx-3.2gf_8xb64-coslr-64k_coco.py',
     dict(arch='regnetx_400mf'),
     'mmdet::regnet/faster-rcnn_regnetx-3.2GF_fpn_1x_coco.py'),
    ('hrnet', 'jigsaw_hrnetv2p-w32_8xb64-coslr-64k_coco.py', TINY_HRNET,
     'mmdet::hrnet/faster-rcnn_hrnetv2p-w32-1x_coco.py'),
    ('mobilenetv2', 'jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py', dict(widen_factor=0.25),
     'configs/det/faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py'),
    ('efficientnet', 'jigsaw_efficientnet-b3_8xb64-coslr-64k_coco.py', dict(arch='b0'),
     'mmdet::efficientnet/retinanet_effb3_fpn_8xb4-crop896-1x_coco.py'),
    ('cspdarknet', 'jigsaw_cspdarknet-s_8xb64-coslr-64k_coco.py', dict(widen_factor=0.125),
     'configs/det/yolox_s_jigsaw-pre_8xb2-13e_coco.py'),
    ('cspnext', 'jigsaw_cspnext-s_8xb64-coslr-64k_coco.py', dict(widen_factor=0.125),
     'configs/det/rtmdet_s_jigsaw-pre_8xb2-13e_coco.py'),
    ('swin', 'jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py',
     dict(embed_dims=16, depths=[1, 1, 2, 1], num_heads=[1, 1, 2, 2]),
     'configs/det/mask-rcnn_swin-t-p4-w7_fpn_jigsaw-pre_8xb2-13e_coco.py'),
    ('pvtv2', 'jigsaw_pvtv2-b2_8xb64-adamw-coslr-64k_coco.py', dict(embed_dims=16, num_layers=[1, 1, 1, 1]),
     'mmdet::pvt/retinanet_pvtv2-b2_fpn_1x_coco.py'),
]

TIMM_DETECTOR = 'configs/det/faster-rcnn_timm-convnext-t_fpn_jigsaw-pre_8xb2-13e_coco.py'
TIMM_RESNET = dict(layers=(1, 1, 1, 1), channels=(8, 16, 32, 64), stem_width=8)  # timm ResNet arguments
# (id, pre-training config, narrowing overrides, export layout, detector config, the detector backbone's
# overrides): the export layout is what that detector loads, extract_backbone.py's default or --to
TIMM_CONVNEXT = dict(dims=(8, 16, 32, 64), depths=(1, 1, 1, 1),
                     # layer scale 1 instead of timm's 1e-6: at 1e-6 the untrained blocks pass nothing, the ERF
                     # of a stride-32 position is its own patch and the refresh rightly keeps the one-hot table
                     ls_init_value=1.0)
EXTERNAL = [
    ('timm-convnext', 'jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco.py', TIMM_CONVNEXT, 'mmdet', TIMM_DETECTOR,
     TIMM_CONVNEXT),
    # the timm Faster R-CNN with model_name='resnet50' and its four stages (timm's index 0 is the stem)
    ('timm-resnet', 'jigsaw_timm-resnet50_8xb64-coslr-64k_coco.py', TIMM_RESNET, 'mmdet', TIMM_DETECTOR,
     dict(model_name='resnet50', out_indices=(1, 2, 3, 4), **TIMM_RESNET)),
    # torchvision's ResNet key names are mmdet's: the --to torchvision export (its classifier dropped)
    # initialises the mmdet ResNet of the R50 detector configs
    ('torchvision-resnet', 'jigsaw_torchvision-resnet50_8xb64-coslr-64k_coco.py', dict(name='resnet18'),
     'torchvision', 'configs/det/faster-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py', dict(depth=18)),
]
WRAPPED = 'model.'  # the wrappers keep the library's own names under this prefix


TEMPLATE = dict(canvas=128, cut=32)


def config_path(name: str) -> str:
    """A config of this repository, or ``mmdet::<path>`` from mmdet's installed configs."""
    if name.startswith('mmdet::'):
        import mmdet
        return osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', name[len('mmdet::'):])
    return osp.join(ROOT, name)


def detector_backbone(detector: str, overrides: dict, checkpoint: str):
    """The detector config's backbone, narrowed like the pre-training, initialised from ``checkpoint``."""
    cfg = Config.fromfile(config_path(detector))
    cfg.merge_from_dict(dict(model=dict(backbone=overrides)))
    backbone_cfg = cfg.model.backbone
    if 'checkpoint' in backbone_cfg:  # TimmBackbone / TorchvisionBackbone load their own argument
        backbone_cfg.checkpoint = checkpoint
    else:
        backbone_cfg.init_cfg = dict(type='Pretrained', checkpoint=checkpoint)  # replaced whole: no prefix
    if backbone_cfg.type in ('SwinTransformer', 'PyramidVisionTransformerV2'):
        backbone_cfg.convert_weights = False  # mmdet's configs convert the original repositories' files
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MMDET_MODELS.build(backbone_cfg)


def pretrain_and_export(config: str, overrides: dict, store: str, tmp_path, layout: str = 'mmdet'):
    """Two iterations of the narrowed pre-training config with an ERF refresh, and its export in
    ``layout``: (runner, the checkpoint's state dict, the export's path, the export's result)."""
    runner, checkpoint = tiny_pretrain(osp.join('configs', 'jigsaw', config), store, tmp_path / 'run',
                                       backbone=overrides, template=TEMPLATE)
    assert runner.iter == 2
    assert torch.isfinite(torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    state_dict = load_checkpoint_safely(checkpoint)['state_dict']
    assert_erf_table_refreshed(state_dict['head.erf_weights'])
    out = str(tmp_path / 'backbone.pth')
    return runner, state_dict, out, export_backbone(checkpoint, out, to=layout)


def assert_loads_strictly_and_as_the_detector_does(backbone, exported: dict, state_dict: dict, prefix: str = ''):
    """``exported`` has exactly ``backbone``'s keys, and the backbone's own init_weights (init_cfg or a
    wrapper's checkpoint) restores the pre-trained weights (``backbone.<prefix><key>`` in ``state_dict``)."""
    backbone.load_state_dict(exported, strict=True)  # no missing, no unexpected keys
    for value in backbone.state_dict().values():  # forget the weights, then load them as the detector does
        if value.is_floating_point():
            value.zero_()
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, state_dict[f'backbone.{prefix}{key}'], rtol=0, atol=0, msg=key)


@pytest.mark.slow  # about 2-10 s per backbone on 2 cores
@pytest.mark.parametrize('name,config,overrides,detector', ZOO, ids=[z[0] for z in ZOO])
def test_pretrain_refresh_export_and_strict_load(name, config, overrides, detector, demo_store, tmp_path):
    _, state_dict, out, result = pretrain_and_export(config, overrides, demo_store, tmp_path)
    exported = torch.load(out, weights_only=True)
    assert result.count == len(exported) and all(isinstance(v, torch.Tensor) for v in exported.values())

    backbone = detector_backbone(detector, overrides, out)
    reference = backbone.state_dict()
    if name == 'swin':  # mmdet's Swin loads only 'backbone.*' keys through init_cfg
        assert all(k.startswith(BACKBONE_PREFIX) for k in exported)
        exported = {k[len(BACKBONE_PREFIX):]: v for k, v in exported.items()}
    assert_loads_strictly_and_as_the_detector_does(backbone, exported, state_dict)
    # the --detector export writes exactly these keys, nothing to drop
    fitted, dropped = fit_to_backbone(extract_backbone_state(state_dict), reference, detector)
    assert list(fitted) == list(reference) and dropped == []


@pytest.mark.slow  # about 2-5 s per model on 2 cores
@pytest.mark.parametrize('name,config,overrides,layout,detector,det_overrides', EXTERNAL, ids=[z[0] for z in EXTERNAL])
def test_timm_and_torchvision_pretrain_refresh_export_and_strict_load(name, config, overrides, layout, detector,
                                                                      det_overrides, demo_store, tmp_path):
    runner, state_dict, out, _ = pretrain_and_export(config, overrides, demo_store, tmp_path, layout)
    exported = torch.load(out, weights_only=True)
    if layout == 'torchvision':  # the montage head as resnet18(num_classes=8)'s classifier
        classifier = {k: exported.pop(k) for k in ('fc.weight', 'fc.bias')}
        assert classifier['fc.weight'].shape[0] == runner.model.head.num_outputs

    backbone = detector_backbone(detector, det_overrides, out)
    # the pre-training's keys are backbone.model.<library's name>; the mmdet layout keeps model.
    assert_loads_strictly_and_as_the_detector_does(backbone, exported, state_dict,
                                                   prefix='' if layout == 'mmdet' else WRAPPED)
