"""Every config parses and builds its model; the paper's numbers are where the docs say."""
import glob
import os.path as osp

import pytest
import torch.nn as nn
from mmdet.registry import MODELS as MMDET_MODELS
from mmengine.config import Config
from mmengine.registry import DefaultScope
from torch.nn.modules.batchnorm import _BatchNorm

from mmjigsaw.registry import MODELS
from helpers import ROOT, pretrained_weights

JIGSAW = sorted(glob.glob(osp.join(ROOT, 'configs', 'jigsaw', '*.py'))) + [osp.join(ROOT, 'configs', 'jigsaw_r50.py')]
DET = sorted(glob.glob(osp.join(ROOT, 'configs', 'det', '*.py')))


@pytest.mark.parametrize('path', JIGSAW, ids=osp.basename)
def test_pretraining_configs_build(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'mmjigsaw'
    model = MODELS.build(cfg.model)
    assert model.head.num_outputs == model.head.num_classes + 1
    stages = cfg.train_dataloader.dataset.pipeline
    assert stages[0]['template'] == cfg.model.head.template


@pytest.mark.parametrize('path', JIGSAW, ids=osp.basename)
def test_head_in_channels_are_read_from_the_backbone(path):
    """No pre-training config writes the head's in_channels: the classifier reads them from the
    backbone's deepest output, so a new backbone needs no head override."""
    assert Config.fromfile(path).model.head.get('in_channels') is None


RESNET_FAMILY = ['jigsaw_resnext101-64x4d_8xb64-coslr-64k_coco.py', 'jigsaw_res2net101-w26-s4_8xb64-coslr-64k_coco.py',
                 'jigsaw_resnest50_8xb64-coslr-64k_coco.py']


@pytest.mark.parametrize('name', RESNET_FAMILY)
def test_resnet_family_variants_change_only_the_recipes_resnet(name):
    """ResNeXt, Res2Net and ResNeSt build on mmdet's ResNet: they keep the recipe's stages, C5
    output, SyncBN and style instead of replacing the backbone (no ``_delete_``) and restating them."""
    path = osp.join(ROOT, 'configs', 'jigsaw', name)
    assert '_delete_' not in open(path).read()
    backbone = Config.fromfile(path).model.backbone
    recipe = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw_r50.py')).model.backbone
    assert backbone.type != recipe.type
    for key in ('num_stages', 'out_indices', 'norm_cfg', 'norm_eval', 'style'):
        assert backbone[key] == recipe[key], key


def test_paper_recipe_numbers():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', 'jigsaw_r50.py'))
    assert cfg.train_dataloader.batch_size * 8 == 512 and cfg.train_cfg.max_iters == 64000
    assert cfg.optim_wrapper.optimizer == dict(type='SGD', lr=0.8, momentum=0.9, weight_decay=1e-4)
    warmup, cosine = cfg.param_scheduler
    assert warmup.start_factor * 0.8 == pytest.approx(0.2) and warmup.end == 1250
    assert cosine.type == 'CosineAnnealingLR' and cosine.eta_min == 0 and cosine.end == 64000
    assert cfg.model.backbone.norm_cfg.type == 'SyncBN' and cfg.model.head.tau == 0.7
    assert cfg.custom_hooks[0] == dict(type='ERFUpdateHook', interval=5000, num_images=8)


@pytest.mark.parametrize('path', DET, ids=osp.basename)
def test_detector_configs_build_and_follow_the_fine_tuning_schedule(path):
    cfg = Config.fromfile(path)
    with DefaultScope.overwrite_default_scope('mmdet'):
        MMDET_MODELS.build(cfg.model)
    weights = pretrained_weights(cfg.model.backbone)
    if 'jigsaw-pre' in path or 'imagenet-pre' in path:
        assert weights.endswith('.pth')
    elif '_direct-' in path:  # the direct detection pre-training control: the whole detector, or nothing
        assert weights is None and (cfg.get('load_from') or '').endswith('.pth') == ('_direct-pre_' in path)
    else:
        assert '_scratch_' in path and weights is None
    if path.endswith('_coco.py'):
        assert cfg.train_cfg.max_epochs == 13 and cfg.param_scheduler[1].milestones == [9, 12]
        assert cfg.optim_wrapper.optimizer.lr == 0.02 and cfg.train_dataloader.batch_size * 8 == 16


SCRATCH = [p for p in DET if '_scratch_' in osp.basename(p)]
PRETRAINED = [p for p in DET if '-pre_' in osp.basename(p) and '_direct-' not in osp.basename(p)]


def _train_mode_backbone(path):
    cfg = Config.fromfile(path)
    with DefaultScope.overwrite_default_scope('mmdet'):
        detector = MMDET_MODELS.build(cfg.model)
    detector.train()  # where frozen stages and norm_eval take effect
    return detector.backbone


@pytest.mark.parametrize('path', SCRATCH, ids=osp.basename)
def test_random_init_baselines_train_every_layer_with_normalising_norms(path):
    """A fair baseline: nothing frozen, and every norm layer uses batch statistics in training."""
    backbone = _train_mode_backbone(path)
    frozen = [name for name, p in backbone.named_parameters() if not p.requires_grad]
    assert not frozen, f'frozen backbone parameters: {frozen[:4]}'
    norms = [(name, m) for name, m in backbone.named_modules()
             if isinstance(m, (_BatchNorm, nn.GroupNorm, nn.LayerNorm))]
    assert norms and all(m.training for _, m in norms), [name for name, m in norms if not m.training][:4]


@pytest.mark.parametrize('path', PRETRAINED, ids=osp.basename)
def test_pretrained_backbones_are_fine_tuned_the_papers_way(path):
    """Frozen BN (statistics and affine kept) for a pre-trained backbone: mmdet's and the paper's recipe.
    LayerNorm-only backbones (Swin) have no statistics to freeze."""
    backbone = _train_mode_backbone(path)
    norms = [m for m in backbone.modules() if isinstance(m, _BatchNorm)]
    if not norms:
        assert any(isinstance(m, nn.LayerNorm) for m in backbone.modules())
        return
    assert not any(m.training for m in norms)
