"""The reproduction study: its plan, its statistics, and a --quick run end to end with resume."""
import glob
import importlib.util
import json
import os.path as osp

import pytest
from mmengine.config import Config

from helpers import ROOT, run_tool

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


def _tool():
    path = osp.join(ROOT, 'tools', 'analysis_tools', 'reproduce.py')
    spec = importlib.util.spec_from_file_location('reproduce', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lr_steps_fall_inside_the_run():
    reproduce = _tool()
    assert reproduce.lr_milestones(4, [0.75]) == [3]
    assert reproduce.lr_milestones(13, [9 / 13, 12 / 13]) == [9, 12]  # the paper's schedule
    assert reproduce.lr_milestones(12, [0.75]) == [9]
    assert reproduce.lr_milestones(1, [0.75]) == []


def test_verdicts_need_two_standard_errors():
    reproduce = _tool()
    runs = lambda *aps: [dict(bbox_mAP=a) for a in aps]  # noqa: E731
    assert reproduce.compare(runs(0.30, 0.31, 0.32), runs(0.20, 0.21, 0.22)).endswith('holds')
    assert reproduce.compare(runs(0.20, 0.21, 0.22), runs(0.30, 0.31, 0.32)).endswith('reversed')
    assert 'not resolved' in reproduce.compare(runs(0.20, 0.30, 0.25), runs(0.24, 0.26, 0.25))
    assert reproduce.compare(runs(0.3), runs(0.2, 0.1)) == 'not enough runs yet'


def test_table_cells_say_how_many_runs_and_never_print_nan():
    reproduce = _tool()
    assert reproduce.mean_std([0.1, 0.2, 0.3]) == '0.200 +- 0.100 (n=3)'
    assert reproduce.mean_std([0.204]) == '0.204 (n=1)'
    assert reproduce.mean_std([]) == 'not run'
    assert reproduce.whole(1655.6) == '1656'
    assert reproduce.whole(float('nan')) == 'not run'


def test_plan_puts_the_central_comparisons_first(tmp_path):
    reproduce = _tool()
    cfg = Config.fromfile(STUDY)
    study = reproduce.Study(cfg, 'configs/reproduce/reproduce_demo.py', str(tmp_path), str(tmp_path / 'r.md'),
                            quick=False, command='test')
    plan = study.plan(reproduce.PARTS)
    parts = [part for part, _ in plan]
    first_length = min(cfg.parts.curve.lengths)
    # the curve's shortest length (every seed), then the initialisation rows, then longer lengths
    assert parts[:3 * len(cfg.parts.curve.seeds)] == ['curve'] * 3 * len(cfg.parts.curve.seeds)
    assert all(isinstance(c, tuple) or c.epochs == first_length for p, c in plan[:9] if p == 'curve')
    assert parts.index('init') < parts.index('curve', 9) < parts.index('heads') < parts.index('assembly')
    cells = [c for _, c in plan if not isinstance(c, tuple)]
    assert {c.seed for c in cells if c.variant == 'warp'} == set(cfg.parts.assembly.seeds)
    assert {c.init for c in cells if c.backbone == 'mbv2'} == {'montage', 'imagenet', 'scratch'}


@pytest.mark.slow
def test_quick_study_runs_every_cell_once_writes_the_report_and_resumes(tmp_path):
    out, doc = tmp_path / 'out', tmp_path / 'doc' / 'reproduction.md'
    args = ('tools/analysis_tools/reproduce.py', STUDY, '--quick', '--only', 'curve,init,assembly',
            '--out', str(out), '--doc', str(doc))
    first = run_tool(*args, timeout=1200)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    with open(tmp_path / 'doc' / 'reproduction' / 'runs.json') as f:
        results = json.load(f)
    runs = results['runs']
    # quick: lengths 1 and 2, seed 0, E fixed at 1, so equal compute for 1 epoch is the 2-epoch scratch run
    expected = {'pretrain_r18_erf_seed0', 'pretrain_mbv2_erf_seed0', 'pretrain_r18_warp_seed0',
                'finetune_r18_erf_1e_seed0', 'finetune_r18_erf_2e_seed0', 'finetune_r18_scratch_1e_seed0',
                'finetune_r18_scratch_2e_seed0', 'finetune_r18_scratch_3e_seed0', 'finetune_r18_warp_1e_seed0',
                'finetune_mbv2_erf_1e_seed0', 'finetune_mbv2_imagenet_1e_seed0', 'finetune_mbv2_scratch_1e_seed0',
                'finetune_mbv2_scratch_2e_seed0'}
    assert set(runs) == expected
    for rec in runs.values():
        assert rec['cpu_seconds'] > 0 and rec['seconds'] > 0 and rec['images'] > 0
        if rec['kind'] == 'finetune':
            assert 0 <= rec['bbox_mAP'] <= 1 and rec['images'] == rec['epochs'] * 12
    assert runs['finetune_r18_erf_2e_seed0']['pretrain'] == 'pretrain_r18_erf_seed0'
    assert runs['finetune_r18_warp_1e_seed0']['pretrain'] == 'pretrain_r18_warp_seed0'
    with open(out / 'pretrain_r18_warp_seed0' / 'train.log') as f:
        assert "fit='warp'" in f.read()
    report = doc.read_text()
    assert '## The compute curve' in report and '## Initialisation' in report and '## Montage assembly' in report
    assert 'ImageNet pre-trained' in report and 'Nothing: every planned run finished.' in report
    assert (tmp_path / 'doc' / 'reproduction' / 'compute_curve.png').stat().st_size > 10_000
    assert (tmp_path / 'doc' / 'reproduction' / 'ablations.png').stat().st_size > 10_000

    again = run_tool(*args, timeout=600)
    assert again.returncode == 0 and '[reproduce] finetune' not in again.stdout + again.stderr
    with open(tmp_path / 'doc' / 'reproduction' / 'runs.json') as f:
        assert json.load(f)['runs'] == runs


@pytest.mark.parametrize('path', sorted(glob.glob(osp.join(ROOT, 'configs', 'reproduce', '*.py'))), ids=osp.basename)
def test_every_config_a_study_names_exists_and_every_variant_is_planned(path, tmp_path):
    reproduce = _tool()
    cfg = Config.fromfile(path)
    named = [b.pretrain for b in cfg.backbones.values()]
    named += [v.pretrain for v in cfg.variants.values() if 'pretrain' in v]
    named += [c for b in cfg.backbones.values() for c in b.finetune.values()]
    missing = [c for c in named if not osp.isfile(osp.join(ROOT, c))]
    assert not missing
    study = reproduce.Study(cfg, path, str(tmp_path), str(tmp_path / 'r.md'), quick=False, command='test')
    planned = {c.variant for _, c in study.plan(reproduce.PARTS) if not isinstance(c, tuple)}
    assert planned == set(cfg.variants) | {''}
