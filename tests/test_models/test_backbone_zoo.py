"""Every supported mmdet backbone family: its pre-training config builds, trains two iterations on
the tiny store, refreshes its ERF table, exports, and the export loads strictly into the backbone of
the detector its users fine-tune (through init_cfg, as mmdet loads it).

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

from mmjigsaw.engine import load_checkpoint_safely
from mmjigsaw.models.converters.backbone_export import (BACKBONE_PREFIX, export_backbone, extract_backbone_state,
                                                        fit_to_backbone)
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
    backbone_cfg.init_cfg = dict(type='Pretrained', checkpoint=checkpoint)  # replaced whole: no prefix
    if backbone_cfg.type in ('SwinTransformer', 'PyramidVisionTransformerV2'):
        backbone_cfg.convert_weights = False  # mmdet's configs convert the original repositories' files
    with DefaultScope.overwrite_default_scope('mmdet'):
        return MMDET_MODELS.build(backbone_cfg)


@pytest.mark.slow  # about 2-10 s per backbone on 2 cores
@pytest.mark.parametrize('name,config,overrides,detector', ZOO, ids=[z[0] for z in ZOO])
def test_pretrain_refresh_export_and_strict_load(name, config, overrides, detector, demo_store, tmp_path):
    runner, checkpoint = tiny_pretrain(osp.join('configs', 'jigsaw', config), demo_store, tmp_path / 'run',
                                       backbone=overrides, template=TEMPLATE)
    assert runner.iter == 2
    assert torch.isfinite(torch.tensor(runner.message_hub.get_scalar('train/loss').current()))
    state_dict = load_checkpoint_safely(checkpoint)['state_dict']
    assert_erf_table_refreshed(state_dict['head.erf_weights'])

    out = str(tmp_path / 'backbone.pth')
    result = export_backbone(checkpoint, out)
    exported = torch.load(out, weights_only=True)
    assert result.count == len(exported) and all(isinstance(v, torch.Tensor) for v in exported.values())

    backbone = detector_backbone(detector, overrides, out)
    reference = backbone.state_dict()
    if name == 'swin':  # mmdet's Swin loads only 'backbone.*' keys through init_cfg
        assert all(k.startswith(BACKBONE_PREFIX) for k in exported)
        exported = {k[len(BACKBONE_PREFIX):]: v for k, v in exported.items()}
    backbone.load_state_dict(exported, strict=True)  # no missing, no unexpected keys
    for value in backbone.state_dict().values():  # forget the weights, then load them the mmdet way
        if value.is_floating_point():
            value.zero_()
    backbone.init_weights()
    for key, value in backbone.state_dict().items():
        torch.testing.assert_close(value, state_dict[f'backbone.{key}'], rtol=0, atol=0, msg=key)
    # the --detector export writes exactly these keys, nothing to drop
    fitted, dropped = fit_to_backbone(extract_backbone_state(state_dict), reference, detector)
    assert list(fitted) == list(reference) and dropped == []
