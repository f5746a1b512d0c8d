"""tools/analysis_tools/reproduce.py --quick end to end: every cell once, the report, and resume."""
import json
import os.path as osp

import pytest

from helpers import ROOT, run_tool

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


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
