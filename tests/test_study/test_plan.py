"""The study config parsed into a typed plan, and the runs it plans in running order."""
import glob
import os.path as osp

import pytest
from mmengine.config import Config

from mmjigsaw.errors import ConfigError
from mmjigsaw.study.cells import Cell, DirectCell, EqualComputeCell, ExtensionCell
from mmjigsaw.study.plan import PARTS, load_study, parse_only
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


def test_running_order_curve_ablations_controls_mobilenet_then_the_extension():
    steps = load_study(STUDY, root=ROOT).steps(PARTS)
    parts = [step.part for step in steps]
    assert parts == sorted(parts[:-10], key=PARTS.index) + ['curve'] * 10  # the extension's 5 seeds x 2 arms last
    keys = [step.run.key for step in steps]
    # the calibrating length (12) first, seed by seed: Montage, random init at the same schedule, equal compute
    assert keys[:6] == ['finetune_r18_erf_12e_seed0', 'finetune_r18_scratch_12e_seed0',
                        'finetune_r18_scratch-equal-to-12e_seed0', 'finetune_r18_erf_12e_seed1',
                        'finetune_r18_scratch_12e_seed1', 'finetune_r18_scratch-equal-to-12e_seed1']
    curve = [s.run for s in steps if s.part == 'curve' and not isinstance(s.run, ExtensionCell)]
    assert [run.epochs for run in curve if isinstance(run, Cell) and run.init == 'montage'] == [12] * 5 + [6] * 5 + \
        [24] * 5
    assert {run.seed for run in curve if isinstance(run, Cell) and run.init == 'scratch'} == {0, 1, 2}
    assert all(isinstance(s.run, ExtensionCell) and s.run.run.epochs == 48 for s in steps[-10:])


def test_ablations_controls_and_mobilenet_rows():
    steps = load_study(STUDY, root=ROOT).steps(PARTS)
    runs = {part: [s.run for s in steps if s.part == part] for part in PARTS}
    heads = ('erf', 'blockwise', 'global', 'tau0.5', 'tau1.0')
    assert {(r.variant, r.epochs) for r in runs['heads']} == {(v, 12) for v in heads}
    assert {r.variant for r in runs['store']} == {'erf', 'raw'} and len(runs['store']) == 6
    # the method's arm of every ablation is the curve's Montage + 12 run of the same seed
    curve_keys = {s.run.key for s in steps if s.part == 'curve'}
    assert {r.key for part in ('heads', 'context', 'assembly', 'store') for r in runs[part] if r.variant == 'erf'} \
        <= curve_keys
    probe, *direct = runs['direct']
    assert probe == Cell('pretrain', 'r18', 'direct', '', 2, 0)
    assert [(type(r), r.seed, r.epochs, r.probe) for r in direct] == [(DirectCell, s, 12, probe) for s in (0, 1, 2)]
    assert [r.key for r in runs['unfrozen']] == [f'finetune_r18_montage-unfrozen_12e_seed{s}' for s in range(3)]
    assert [r.key for r in runs['init'][:4]] == ['finetune_mbv2_erf_12e_seed0', 'finetune_mbv2_imagenet_12e_seed0',
                                                 'finetune_mbv2_scratch_12e_seed0',
                                                 'finetune_mbv2_scratch-equal-to-12e_seed0']
    assert all(r.calibration_length == 12 for r in runs['init'] if isinstance(r, EqualComputeCell))


def test_quick_replaces_data_seeds_lengths_and_fixes_the_calibrations():
    full, quick = load_study(STUDY, root=ROOT), load_study(STUDY, quick=True, root=ROOT)
    assert full.path == 'configs/reproduce/reproduce_demo.py'
    assert full.data.root == 'data/demo' and full.data.demo.num_train == 300 and full.fixed_extra_epochs is None
    assert full.fixed_direct_epochs is None and full.fixed_extension is None
    assert quick.data.root == 'data/demo_quick' and quick.data.demo.num_train == 12
    assert quick.parts['curve'].lengths == (1, 2) and quick.parts['curve'].extension == 3
    assert quick.parts['init'].length == 1 and quick.parts['direct'].probe_epochs == 1
    assert all(part.seeds == (0, ) for part in quick.parts.values())
    assert quick.parts['curve'].same_schedule_seeds == (0, )
    assert quick.parts['heads'].variants == ('erf', 'global')
    assert (quick.fixed_extra_epochs, quick.fixed_direct_epochs, quick.fixed_extension) == (1, 2, True)
    assert quick.pretrain_options['train_cfg.max_iters'] == 4
    assert full.pretrain_options == {} and full.finetune_options == {}
    assert full.stores['bare'].context == 0.0 and full.stores['bare'].folder == 'store_train_bare'
    assert (full.stores['raw'].format, full.stores['context'].format) == ('raw', 'jpeg')
    assert full.variants['warp'].options == {'train_dataloader.dataset.pipeline.0.fit': 'warp'}
    assert full.variants['bare'].store == 'bare' and full.variants['erf'].pretrain is None
    assert full.analysis.alpha == 0.05 and full.analysis.smallest_effect == 0.01 and full.analysis.min_seeds == 3


def test_only_names_known_parts():
    assert parse_only('curve, init,') == ['curve', 'init']
    with pytest.raises(ConfigError, match=r"unknown parts \['curves'\]; choose from curve, heads"):
        parse_only('curves,init')


@pytest.mark.parametrize('path', sorted(glob.glob(osp.join(ROOT, 'configs', 'reproduce', 'reproduce_*.py'))),
                         ids=osp.basename)
def test_every_config_a_study_names_exists_and_every_variant_is_planned(path):
    cfg = Config.fromfile(path)
    named = [b.pretrain for b in cfg.backbones.values()] + [b.direct_pretrain for b in cfg.backbones.values()
                                                            if b.get('direct_pretrain')]
    named += [v.pretrain for v in cfg.variants.values() if 'pretrain' in v]
    named += [c for b in cfg.backbones.values() for c in b.finetune.values()]
    missing = [c for c in named if not osp.isfile(osp.join(ROOT, c))]
    assert not missing
    plan = load_study(path, root=ROOT)
    steps = plan.steps(PARTS)
    planned = {step.run.variant for step in steps if isinstance(step.run, Cell)}
    assert planned == set(cfg.variants) | {'', 'direct'} & planned
    for step in steps:  # every fine-tuning's initialisation has a detector config
        if isinstance(step.run, Cell) and step.run.kind == 'finetune':
            assert step.run.init in plan.backbones[step.run.backbone].finetune
