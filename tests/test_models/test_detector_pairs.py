"""Each new detector config pairs with its pre-training config: same backbone architecture, the
pre-training's input normalisation, and a baseline that differs only where a fair from-scratch run
must (initialisation, nothing frozen, normalisation that normalises)."""
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import ROOT

# (detector config stem, pre-training config): the export of the second initialises the first
PAIRS = [
    ('rtmdet_s_{}_8xb2-13e_coco.py', 'jigsaw_cspnext-s_8xb64-coslr-64k_coco.py'),
    ('yolox_s_{}_8xb2-13e_coco.py', 'jigsaw_cspdarknet-s_8xb64-coslr-64k_coco.py'),
    ('mask-rcnn_swin-t-p4-w7_fpn_{}_8xb2-13e_coco.py', 'jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py'),
    ('faster-rcnn_mobilenetv2_fpn_{}_8xb2-13e_coco.py', 'jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py'),
]
# what only configures training, not the weights' shapes
TRAINING_ONLY = {'type', 'frozen_stages', 'norm_eval', 'norm_cfg', 'init_cfg', 'out_indices', 'drop_path_rate'}


def _det(stem, variant):
    return Config.fromfile(osp.join(ROOT, 'configs', 'det', stem.format(variant)))


@pytest.mark.parametrize('stem,pretrain', PAIRS, ids=[p[0].split('_')[0] for p in PAIRS])
class TestDetectorPairs:

    def test_same_architecture_as_pre_trained(self, stem, pretrain):
        det = _det(stem, 'jigsaw-pre').model.backbone
        pre = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw', pretrain)).model.backbone
        assert pre.type == f'mmdet.{det.type}'
        for key in set(pre) - TRAINING_ONLY:
            assert det.get(key) == pre[key], key
        assert det.init_cfg.type == 'Pretrained' and 'prefix' not in det.init_cfg
        assert osp.splitext(pretrain)[0] in det.init_cfg.checkpoint  # the pre-training's work dir

    def test_input_normalised_as_in_pre_training(self, stem, pretrain):
        pre = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw', pretrain)).model.data_preprocessor
        for variant in ('jigsaw-pre', 'scratch'):
            prep = _det(stem, variant).model.data_preprocessor
            assert list(prep.mean) == list(pre.mean) and list(prep.std) == list(pre.std)
            assert prep.bgr_to_rgb  # mmdet loads BGR; the montages are RGB

    def test_baseline_differs_only_in_initialisation_and_fine_tuning_switches(self, stem, pretrain):
        pre, scratch = _det(stem, 'jigsaw-pre'), _det(stem, 'scratch')
        assert scratch.model.backbone.init_cfg is None
        assert scratch.model.backbone.get('frozen_stages', -1) == -1
        assert not scratch.model.backbone.get('norm_eval', False)
        for key in set(pre.model.backbone) | set(scratch.model.backbone):
            if key not in ('init_cfg', 'frozen_stages', 'norm_eval', 'norm_cfg'):
                assert pre.model.backbone.get(key) == scratch.model.backbone.get(key), key
        for key in ('optim_wrapper', 'param_scheduler', 'train_cfg', 'train_dataloader', 'custom_hooks'):
            assert pre.get(key) == scratch.get(key), key
        assert pre.model.get('neck') == scratch.model.get('neck')
