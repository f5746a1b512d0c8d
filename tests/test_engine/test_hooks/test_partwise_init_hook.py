"""PartwiseInitHook: a seed gives the parts of a model the same initial weights whatever the other
parts start from, so the two arms of one seed pair up: the study's detectors (Montage backbone vs
random init: same neck and heads) and pre-trainings (ERF vs block-wise head: same backbone)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmjigsaw.engine import part_seed
from helpers import ROOT, in_process_run, tiny_pretrain_cfg

DET = osp.join(ROOT, 'configs', 'det')
MONTAGE = osp.join(DET, 'faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py')
SCRATCH = osp.join(DET, 'faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py')
BLOCKWISE_HEAD = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw-blockwise_resnet18-c32_1xb32-coslr-250it_demo.py')


def initial_weights(cfg: Config, work_dir, seed: int, hook: bool = True):
    """The model's weights as ``Runner.train`` initialises them: ``before_run`` hooks, then the
    runner's own initialisation (nothing trains, no data is read); ``hook=False`` leaves the hook out."""
    cfg.randomness = dict(seed=seed)
    if not hook:
        cfg.default_hooks.pop('partwise_init')
    in_process_run(cfg, work_dir)
    runner = Runner.from_cfg(cfg)
    runner.call_hook('before_run')
    runner._init_model_weights()
    return {k: v.clone() for k, v in runner.model.state_dict().items() if v.is_floating_point()}


def same(a, b, part: str) -> bool:
    keys = [k for k in a if k.startswith(part + '.')]
    assert keys
    return all(torch.equal(a[k], b[k]) for k in keys)


def detectors(tmp_path, seeds, hook=True):
    """The study's two detector arms (the Montage one loading a backbone file) at ``seeds``."""
    backbone = tmp_path / 'backbone.pth'
    if not backbone.exists():  # any ResNet-18 c32 weights: what the arm loads does not matter here
        scratch = initial_weights(Config.fromfile(SCRATCH), tmp_path / 'donor', seed=99)
        torch.save({k[len('backbone.'):]: v for k, v in scratch.items() if k.startswith('backbone.')}, backbone)
    arms = []
    for i, (config, seed) in enumerate(seeds):
        cfg = Config.fromfile(config)
        if config == MONTAGE:
            cfg.model.backbone.init_cfg.checkpoint = str(backbone)
        arms.append(initial_weights(cfg, tmp_path / f'arm{i}_hook{hook}', seed, hook))
    return arms


def test_a_seed_gives_both_detector_arms_the_same_neck_and_heads(tmp_path, one_torch_thread):
    montage, scratch, scratch_other_seed = detectors(tmp_path, [(MONTAGE, 3), (SCRATCH, 3), (SCRATCH, 4)])
    assert not same(montage, scratch, 'backbone')  # loaded vs random
    for part in ('neck', 'rpn_head', 'roi_head'):
        assert same(montage, scratch, part), part
        assert not same(scratch, scratch_other_seed, part), part


def test_without_it_the_random_backbone_shifts_the_heads(tmp_path, one_torch_thread):
    # what the hook is for: mmengine's one global stream gives the heads other weights in each arm
    montage, scratch = detectors(tmp_path, [(MONTAGE, 3), (SCRATCH, 3)], hook=False)
    assert not same(montage, scratch, 'neck') and not same(montage, scratch, 'roi_head')


def test_a_seed_gives_every_head_variant_the_same_backbone(demo_store, tmp_path, one_torch_thread):
    erf = initial_weights(tiny_pretrain_cfg(demo_store, tmp_path / 'erf', max_iters=1), tmp_path / 'erf', seed=5)
    cfg = Config.fromfile(BLOCKWISE_HEAD)
    cfg.merge_from_dict({'model.backbone.base_channels': 8, 'train_dataloader.dataset.store': demo_store})
    blockwise = initial_weights(cfg, tmp_path / 'blockwise', seed=5)
    assert same(erf, blockwise, 'backbone')
    other = initial_weights(tiny_pretrain_cfg(demo_store, tmp_path / 'other', max_iters=1), tmp_path / 'other', 6)
    assert not same(erf, other, 'backbone')


def test_part_seeds_differ_by_part_and_by_run_seed():
    seeds = {part_seed(s, name) for s in (0, 1) for name in ('backbone', 'neck', 'rpn_head', 'roi_head')}
    assert len(seeds) == 8 and all(0 <= s < 2**32 for s in seeds)
    assert part_seed(0, 'neck') == part_seed(0, 'neck')
