"""PartwiseInitHook: a seed gives the parts of a model the same initial weights whatever the other
parts start from, so the two arms of one seed pair up: the study's detectors (Montage backbone vs
random init: same neck and heads) and pre-trainings (ERF vs block-wise head: same backbone)."""
import os.path as osp

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmjigsaw.engine import part_seed
from helpers import DEMO_MONTAGE_DETECTOR_CONFIG as MONTAGE
from helpers import DEMO_SCRATCH_DETECTOR_CONFIG as SCRATCH
from helpers import ROOT, in_process_run, tiny_pretrain_cfg

BLOCKWISE_HEAD = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw-blockwise_resnet18-c32_1xb32-coslr-250it_demo.py')


def training_runner(cfg: Config, work_dir, seed: int, hook: bool = True) -> Runner:
    """A Runner of ``cfg`` as ``Runner.train`` has it when the hooks' ``before_run`` is called: its
    train loop (and data) built; ``hook=False`` leaves the hook out."""
    cfg.randomness = dict(seed=seed)
    if not hook:
        cfg.default_hooks.pop('partwise_init')
    in_process_run(cfg, work_dir)
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    return runner


def initialised(runner: Runner):
    """The model's weights as ``Runner.train`` initialises them: ``before_run`` hooks, then the
    runner's own initialisation (nothing trains)."""
    runner.call_hook('before_run')
    runner._init_model_weights()
    return {k: v.clone() for k, v in runner.model.state_dict().items() if v.is_floating_point()}


def initial_weights(cfg: Config, work_dir, seed: int, hook: bool = True):
    return initialised(training_runner(cfg, work_dir, seed, hook))


def same(a, b, part: str) -> bool:
    keys = [k for k in a if k.startswith(part + '.')]
    assert keys
    return all(torch.equal(a[k], b[k]) for k in keys)


def detector_cfg(config: str, data_root: str, backbone: str) -> Config:
    """One of the study's detector configs on the test's demo data, the Montage one loading ``backbone``."""
    cfg = Config.fromfile(config)
    cfg.train_dataloader.dataset.data_root = data_root + '/'
    if config == MONTAGE:
        cfg.model.backbone.init_cfg.checkpoint = backbone
    return cfg


def detectors(tmp_path, data_root, seeds, hook=True):
    """The study's two detector arms (the Montage one loading a backbone file) at ``seeds``."""
    backbone = tmp_path / 'backbone.pth'
    if not backbone.exists():  # any ResNet-18 c32 weights: what the arm loads does not matter here
        scratch = initial_weights(detector_cfg(SCRATCH, data_root, ''), tmp_path / 'donor', seed=99)
        torch.save({k[len('backbone.'):]: v for k, v in scratch.items() if k.startswith('backbone.')}, backbone)
    return [initial_weights(detector_cfg(config, data_root, str(backbone)), tmp_path / f'arm{i}_hook{hook}', seed,
                            hook) for i, (config, seed) in enumerate(seeds)]


def test_a_seed_gives_both_detector_arms_the_same_neck_and_heads(demo_root, tmp_path, one_torch_thread):
    montage, scratch, scratch_other_seed = detectors(tmp_path, demo_root,
                                                     [(MONTAGE, 3), (SCRATCH, 3), (SCRATCH, 4)])
    assert not same(montage, scratch, 'backbone')  # loaded vs random
    for part in ('neck', 'rpn_head', 'roi_head'):
        assert same(montage, scratch, part), part
        assert not same(scratch, scratch_other_seed, part), part


def test_without_it_the_random_backbone_shifts_the_heads(demo_root, tmp_path, one_torch_thread):
    # what the hook is for: mmengine's one global stream gives the heads other weights in each arm
    montage, scratch = detectors(tmp_path, demo_root, [(MONTAGE, 3), (SCRATCH, 3)], hook=False)
    assert not same(montage, scratch, 'neck') and not same(montage, scratch, 'roi_head')


def test_a_seed_gives_every_head_variant_the_same_backbone(demo_store, tmp_path, one_torch_thread):
    erf = initial_weights(tiny_pretrain_cfg(demo_store, tmp_path / 'erf', max_iters=1), tmp_path / 'erf', seed=5)
    cfg = Config.fromfile(BLOCKWISE_HEAD)
    cfg.merge_from_dict({'model.backbone.base_channels': 8, 'train_dataloader.dataset.store': demo_store})
    blockwise = initial_weights(cfg, tmp_path / 'blockwise', seed=5)
    assert same(erf, blockwise, 'backbone')
    other = initial_weights(tiny_pretrain_cfg(demo_store, tmp_path / 'other', max_iters=1), tmp_path / 'other', 6)
    assert not same(erf, other, 'backbone')


def test_a_part_initialising_itself_keeps_the_weights_of_its_own_stream(demo_root, tmp_path, one_torch_thread):
    # mmdet's RTMDetHead and SwinTransformer override init_weights without marking themselves
    # initialised; mmengine would initialise such a part again, from the global stream
    runner = training_runner(detector_cfg(SCRATCH, demo_root, ''), tmp_path, seed=3)
    head = runner.model.rpn_head

    def own_init(self):
        torch.nn.init.normal_(self.rpn_conv.weight)

    head.__class__ = type('OwnInitRPNHead', (type(head), ), {'init_weights': own_init})
    weights = initialised(runner)
    stream = torch.Generator().manual_seed(part_seed(3, 'rpn_head'))
    expected = torch.empty_like(weights['rpn_head.rpn_conv.weight']).normal_(generator=stream)
    assert torch.equal(weights['rpn_head.rpn_conv.weight'], expected)


def test_testing_initialises_nothing(demo_root, tmp_path, one_torch_thread):
    # tools/test.py: the detector's weights come from the checkpoint; the Montage config's backbone
    # file (gone here) is not read
    scratch = initial_weights(detector_cfg(SCRATCH, demo_root, ''), tmp_path / 'trained', seed=1)
    checkpoint = tmp_path / 'detector.pth'
    torch.save({'state_dict': scratch, 'meta': {}}, checkpoint)
    cfg = detector_cfg(MONTAGE, demo_root, str(tmp_path / 'no_such_backbone.pth'))
    cfg.test_dataloader.dataset.data_root = demo_root + '/'
    cfg.test_evaluator.ann_file = osp.join(demo_root, 'annotations', 'instances_val.json')
    cfg.load_from = str(checkpoint)
    in_process_run(cfg, tmp_path / 'test')
    runner = Runner.from_cfg(cfg)
    assert 'coco/bbox_mAP' in runner.test()
    tested = runner.model.state_dict()
    assert all(torch.equal(tested[k], v) for k, v in scratch.items())


def test_part_seeds_differ_by_part_and_by_run_seed():
    seeds = {part_seed(s, name) for s in (0, 1) for name in ('backbone', 'neck', 'rpn_head', 'roi_head')}
    assert len(seeds) == 8 and all(0 <= s < 2**32 for s in seeds)
    assert part_seed(0, 'neck') == part_seed(0, 'neck')
