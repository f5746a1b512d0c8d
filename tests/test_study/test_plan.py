"""The study config parsed into a typed plan, and the runs it plans in running order."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmjigsaw.errors import ConfigError
from mmjigsaw.study.cells import EqualComputeCell
from mmjigsaw.study.plan import PARTS, load_study, parse_only
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


def test_plan_puts_the_central_comparisons_first():
    cfg = Config.fromfile(STUDY)
    steps = load_study(STUDY, root=ROOT).steps(PARTS)
    parts = [step.part for step in steps]
    first_length = min(cfg.parts.curve.lengths)
    # the curve's shortest length (every seed), then the initialisation rows, then longer lengths
    assert parts[:3 * len(cfg.parts.curve.seeds)] == ['curve'] * 3 * len(cfg.parts.curve.seeds)
    assert all(step.run.epochs == first_length for step in steps[:9] if step.part == 'curve')
    assert parts.index('init') < parts.index('curve', 9) < parts.index('heads') < parts.index('assembly')
    cells = [step.run for step in steps if not step.run.needs_calibration]
    assert {c.seed for c in cells if c.variant == 'warp'} == set(cfg.parts.assembly.seeds)
    assert {c.init for c in cells if c.backbone == 'mbv2'} == {'montage', 'imagenet', 'scratch'}


def test_equal_compute_cells_are_explicit_and_name_their_calibration():
    steps = load_study(STUDY, root=ROOT).steps(['curve', 'init'])
    equal = [step for step in steps if step.run.needs_calibration]
    # one per curve length and seed (3 x 3) and one per init backbone and seed (2 x 3)
    assert len(equal) == 15 and all(isinstance(step.run, EqualComputeCell) for step in equal)
    assert {step.run.calibration_length for step in equal if step.part == 'curve'} == {4}
    assert {(step.run.backbone, step.run.calibration_length) for step in equal if step.part == 'init'} == \
        {('r18', 4), ('mbv2', 4)}
    # every equal-compute run comes after the runs that calibrate it (first seed, shortest length)
    keys = [step.run.key for step in steps]
    assert keys.index('finetune_r18_scratch_4e_seed0') < keys.index('finetune_r18_scratch-equal-to-4e_seed0')
    assert keys.index('finetune_mbv2_scratch_4e_seed0') < keys.index('finetune_mbv2_scratch-equal-to-4e_seed0')


def test_quick_replaces_data_seeds_lengths_and_fixes_equal_compute():
    full, quick = load_study(STUDY, root=ROOT), load_study(STUDY, quick=True, root=ROOT)
    assert full.path == 'configs/reproduce/reproduce_demo.py'
    assert full.data.root == 'data/demo' and full.data.demo.num_train == 300 and full.fixed_extra_epochs is None
    assert quick.data.root == 'data/demo_quick' and quick.data.demo.num_train == 12
    assert quick.parts['curve'].lengths == (1, 2) and quick.parts['init'].length == 1
    assert all(part.seeds == (0, ) for part in quick.parts.values())
    assert quick.fixed_extra_epochs == 1 and quick.pretrain_options['train_cfg.max_iters'] == 4
    assert full.pretrain_options == {} and full.finetune_options == {}
    assert full.stores['bare'].context == 0.0 and full.stores['bare'].folder == 'store_train_bare'
    assert full.variants['warp'].options == {'train_dataloader.dataset.pipeline.0.fit': 'warp'}
    assert full.variants['bare'].store == 'bare' and full.variants['erf'].pretrain is None


def test_only_names_known_parts():
    assert parse_only('curve, init,') == ['curve', 'init']
    with pytest.raises(ConfigError, match=r"unknown parts \['curves'\]; choose from curve, init"):
        parse_only('curves,init')


@pytest.mark.parametrize('path', sorted(glob.glob(osp.join(ROOT, 'configs', 'reproduce', '*.py'))), ids=osp.basename)
def test_every_config_a_study_names_exists_and_every_variant_is_planned(path):
    cfg = Config.fromfile(path)
    named = [b.pretrain for b in cfg.backbones.values()]
    named += [v.pretrain for v in cfg.variants.values() if 'pretrain' in v]
    named += [c for b in cfg.backbones.values() for c in b.finetune.values()]
    missing = [c for c in named if not osp.isfile(osp.join(ROOT, c))]
    assert not missing
    steps = load_study(path, root=ROOT).steps(PARTS)
    planned = {step.run.variant for step in steps if not step.run.needs_calibration}
    assert planned == set(cfg.variants) | {''}
