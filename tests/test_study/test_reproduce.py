"""tools/analysis_tools/reproduce.py --quick end to end: every part once, one code hash, full-precision AP
with matches, the ERF scalars, the report, resume, and a stale record run again."""
import json
import os.path as osp
import re

import pytest

from mmjigsaw.study.provenance import environment
from helpers import ROOT, run_tool

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
#: quick: lengths 1 and 2 (+ the extension, 3), seed 0, E = 1, D = 2 (probe 1 epoch), every part
EXPECTED = {
    'pretrain_r18_erf_seed0', 'finetune_r18_erf_1e_seed0', 'finetune_r18_scratch_1e_seed0',
    'finetune_r18_scratch_2e_seed0', 'finetune_r18_erf_2e_seed0', 'finetune_r18_scratch_3e_seed0',
    'finetune_r18_erf_3e_seed0', 'finetune_r18_scratch_4e_seed0',  # the curve and its extension
    *(f'{kind}_r18_{v}{e}_seed0' for v in ('global', 'bare', 'warp', 'raw')
      for kind, e in (('pretrain', ''), ('finetune', '_1e'))),  # the ablations
    'finetune_r18_montage-unfrozen_1e_seed0', 'pretrain_r18_direct-1e_seed0', 'pretrain_r18_direct-2e_seed0',
    'finetune_r18_direct-2e_1e_seed0',  # the controls
    'pretrain_mbv2_erf_seed0', 'finetune_mbv2_erf_1e_seed0', 'finetune_mbv2_imagenet_1e_seed0',
    'finetune_mbv2_scratch_1e_seed0', 'finetune_mbv2_scratch_2e_seed0'}


def _runs_json(tmp_path):
    with open(tmp_path / 'doc' / 'reproduction' / 'runs.json') as f:
        return json.load(f)


@pytest.mark.slow
def test_quick_study_runs_every_part_once_writes_the_report_and_resumes(tmp_path):
    out, doc = tmp_path / 'out', tmp_path / 'doc' / 'reproduction.md'
    args = ('tools/analysis_tools/reproduce.py', STUDY, '--quick', '--out', str(out), '--doc', str(doc))
    first = run_tool(*args, timeout=2400)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    data = _runs_json(tmp_path)
    runs = data['runs']
    assert set(runs) == EXPECTED
    assert {rec['code_hash'] for rec in runs.values()} == {data['code_hash']}  # one code version
    for rec in runs.values():
        assert rec['cpu_seconds'] > 0 and rec['seconds'] > 0 and rec['images'] > 0
        assert rec['machine'] == environment() and re.fullmatch(r'20\d\d-\d\d-\d\d \d\d:\d\d UTC', rec['finished'])
        if rec['kind'] == 'finetune':
            assert 0 <= rec['bbox_mAP'] <= 1 and rec['images'] == rec['epochs'] * 12
            assert abs(rec['bbox_mAP'] - rec['bbox_mAP_rounded']) <= 0.0005  # mmdet's value, rounded
            if rec['matches']:
                assert (tmp_path / 'doc' / 'reproduction' / 'matches' / rec['matches']).is_file()
    pre = runs['pretrain_r18_erf_seed0']
    assert 0 < pre['erf_own_weight']['first'] <= 1 and 0 < pre['erf_own_share']['last'] <= 1
    assert runs['pretrain_r18_global_seed0']['erf_own_weight'] is None  # no ERF table in the global head
    # the stores behind the runs: the JPEG default, the bare boxes, the raw samples
    stores = {v: runs[f'finetune_r18_{v}_1e_seed0']['store_hash'] for v in ('erf', 'bare', 'raw', 'warp')}
    assert stores['erf'] == stores['warp'] == pre['store_hash'] and len({*stores.values()}) == 3
    assert runs['finetune_r18_scratch_1e_seed0']['store_hash'] is None
    assert runs['finetune_r18_montage-unfrozen_1e_seed0']['pretrain'] == 'pretrain_r18_erf_seed0'
    assert runs['finetune_r18_direct-2e_1e_seed0']['pretrain'] == 'pretrain_r18_direct-2e_seed0'
    assert f'Load checkpoint from {out}/pretrain_r18_direct-2e_seed0/detector.pth' in \
        (out / 'finetune_r18_direct-2e_1e_seed0' / 'train.log').read_text()
    with open(out / 'pretrain_r18_raw_seed0' / 'train.log') as f:
        assert 'store_train_raw' in f.read()
    report = doc.read_text()
    finished = sorted(rec['finished'] for rec in runs.values())
    assert f'Machine: {environment()}  ' in report
    assert f'Runs finished: {finished[0]} to {finished[-1]} (each run\'s in runs.json)' in report
    for section in ('## The plan, fixed before the runs', '## The compute curve', '## Labelling head and tau',
                    '## Sample store format', '## The controls', '## Initialisation',
                    '## What changed since the first study and why'):
        assert section in report
    assert 'Nothing: every planned run finished.' in report and 'Runs of other code hashes: none.' in report
    assert (tmp_path / 'doc' / 'reproduction' / 'compute_curve.png').stat().st_size > 10_000

    again = run_tool(*args, timeout=600)
    assert again.returncode == 0 and '[reproduce] finetune' not in again.stdout + again.stderr
    assert _runs_json(tmp_path)['runs'] == runs

    # a record of another code version is not done: only it runs again
    data['runs']['finetune_r18_warp_1e_seed0']['code_hash'] = 'an-older-hash'
    with open(tmp_path / 'doc' / 'reproduction' / 'runs.json', 'w') as f:
        json.dump(data, f)
    stale = run_tool(*args, timeout=600)
    assert stale.returncode == 0 and '1 of other code versions will run again' in stale.stdout
    assert [line for line in stale.stdout.splitlines() if line.startswith('[reproduce] f')] == [
        '[reproduce] finetune_r18_warp_1e_seed0']
    assert _runs_json(tmp_path)['runs']['finetune_r18_warp_1e_seed0']['code_hash'] == data['code_hash']

    # a pre-training whose output is gone runs again when a fine-tuning needs it: recorded beside its first
    (out / 'pretrain_r18_erf_seed0' / 'backbone.pth').unlink()
    (out / 'pretrain_r18_direct-2e_seed0' / 'detector.pth').unlink()
    data = _runs_json(tmp_path)
    for key in ('finetune_r18_erf_1e_seed0', 'finetune_r18_direct-2e_1e_seed0'):
        data['runs'][key]['code_hash'] = 'an-older-hash'
    with open(tmp_path / 'doc' / 'reproduction' / 'runs.json', 'w') as f:
        json.dump(data, f)
    rerun = run_tool(*args, timeout=600)
    assert rerun.returncode == 0, rerun.stdout[-3000:] + rerun.stderr[-3000:]
    rerun_runs = _runs_json(tmp_path)['runs']
    for key in ('pretrain_r18_erf_seed0', 'pretrain_r18_direct-2e_seed0'):
        first, (again_, ) = runs[key], rerun_runs[key]['again']
        assert {k: v for k, v in rerun_runs[key].items() if k != 'again'} == first  # the first measurement kept
        assert again_['seconds'] > 0 and again_['code_hash'] == data['code_hash']
    assert rerun_runs['pretrain_r18_erf_seed0']['again'][0]['erf_own_weight']['last'] > 0
    # the fine-tunings name the measurement their backbone came from: the first before, the one again now
    assert runs['finetune_r18_erf_1e_seed0']['pretrain_again'] == 0
    assert [rerun_runs[k]['pretrain_again'] for k in ('finetune_r18_erf_1e_seed0', 'finetune_r18_direct-2e_1e_seed0')] \
        == [1, 1]
