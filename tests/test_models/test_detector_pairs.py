"""Each new detector config pairs with its pre-training config: the same backbone architecture (both
read it from one file under configs/_base_/backbones/), the pre-training's input normalisation, and a
baseline that differs only where a fair from-scratch run must (initialisation, nothing frozen,
normalisation that normalises)."""
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import ROOT, pretrained_weights

# (detector config stem, pre-training config, the backbone file both read): the export of the second
# initialises the first
PAIRS = [
    ('rtmdet_s_{}_8xb2-13e_coco.py', 'jigsaw_cspnext-s_8xb64-coslr-64k_coco.py', 'cspnext-s.py'),
    ('yolox_s_{}_8xb2-13e_coco.py', 'jigsaw_cspdarknet-s_8xb64-coslr-64k_coco.py', 'cspdarknet-s.py'),
    ('mask-rcnn_swin-t-p4-w7_fpn_{}_8xb2-13e_coco.py', 'jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py',
     'swin-t-p4-w7.py'),
    ('faster-rcnn_mobilenetv2_fpn_{}_8xb2-13e_coco.py', 'jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py',
     'mobilenetv2.py'),
    ('faster-rcnn_mobilenetv2_fpn_{}_1xb8-4e_demo.py', 'jigsaw_mobilenetv2_1xb32-coslr-250it_demo.py',
     'mobilenetv2.py'),
    ('faster-rcnn_timm-convnext-t_fpn_{}_8xb2-13e_coco.py', 'jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco.py',
     'timm-convnext-t.py'),
]
# what only configures training, not the weights' shapes
TRAINING_ONLY = {'frozen_stages', 'norm_eval', 'norm_cfg', 'init_cfg', 'out_indices', 'drop_path_rate'}


def _det(stem, variant):
    return Config.fromfile(osp.join(ROOT, 'configs', 'det', stem.format(variant)))


def _base_backbone(name):
    """The one backbone dict that a configs/_base_/backbones/ file defines."""
    cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'backbones', name))
    (backbone, ) = [v for k, v in cfg.items() if isinstance(v, dict) and 'type' in v]
    return backbone


@pytest.mark.parametrize('stem,pretrain,base', PAIRS, ids=[p[0].split('_{}')[0] + p[0][-8:-3] for p in PAIRS])
class TestDetectorPairs:

    def test_same_architecture_as_pre_trained(self, stem, pretrain, base):
        det = _det(stem, 'jigsaw-pre').model.backbone
        pre = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw', pretrain)).model.backbone
        for key in set(pre) - TRAINING_ONLY:
            assert det.get(key) == pre[key], key
        assert 'prefix' not in (det.get('init_cfg') or {})
        assert osp.splitext(pretrain)[0] in pretrained_weights(det)  # the pre-training's work dir

    def test_both_read_the_backbone_from_one_file(self, stem, pretrain, base):
        """Defined once: every key of the base file reaches both configs unchanged."""
        shared = _base_backbone(base)
        det = _det(stem, 'jigsaw-pre').model.backbone
        pre = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw', pretrain)).model.backbone
        assert shared.type.startswith(('mmdet.', 'mmjigsaw.'))  # builds in either default scope
        for key, value in shared.items():
            assert pre.get(key) == value and det.get(key) == value, key

    def test_input_normalised_as_in_pre_training(self, stem, pretrain, base):
        pre = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw', pretrain)).model.data_preprocessor
        for variant in ('jigsaw-pre', 'scratch'):
            prep = _det(stem, variant).model.data_preprocessor
            assert list(prep.mean) == list(pre.mean) and list(prep.std) == list(pre.std)
            assert prep.bgr_to_rgb  # mmdet loads BGR; the montages are RGB

    def test_baseline_differs_only_in_initialisation_and_fine_tuning_switches(self, stem, pretrain, base):
        pre, scratch = _det(stem, 'jigsaw-pre'), _det(stem, 'scratch')
        assert pretrained_weights(scratch.model.backbone) is None
        assert scratch.model.backbone.get('frozen_stages', -1) == -1
        assert not scratch.model.backbone.get('norm_eval', False)
        for key in set(pre.model.backbone) | set(scratch.model.backbone):
            if key not in ('init_cfg', 'checkpoint', 'frozen_stages', 'norm_eval', 'norm_cfg'):
                assert pre.model.backbone.get(key) == scratch.model.backbone.get(key), key
        for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'train_dataloader', 'custom_hooks'):
            assert pre.get(key) == scratch.get(key), key
        assert pre.model.get('neck') == scratch.model.get('neck')
