"""tools/analysis_tools/machine_check.py: the method's fine-tunings run again beside the study's records,
only at the study's code hash, never touching its runs.json."""
import json

import pytest

from mmjigsaw.study.provenance import code_hash
from helpers import ROOT, run_tool

TOOL = 'tools/analysis_tools/machine_check.py'


def _study(tmp_path, hash_):
    """A study's runs.json (under OUT, as --quick puts it) with one record of the method's 1-epoch run."""
    doc_dir = tmp_path / 'reproduction'
    doc_dir.mkdir()
    key = 'finetune_r18_erf_1e_seed0'
    runs = {key: dict(key=key, kind='finetune', backbone='r18', variant='erf', init='montage', epochs=1, seed=0,
                      pretrain_epochs=0, bbox_mAP=0.05, code_hash=hash_)}
    (doc_dir / 'runs.json').write_text(json.dumps(dict(code_hash=hash_, runs=runs)))
    return doc_dir / 'runs.json'


def test_it_runs_only_at_the_studys_code_hash(tmp_path):
    _study(tmp_path, 'another')
    run = run_tool(TOOL, '--quick', '--out', str(tmp_path), '--seeds', '0', '--epochs', '1')
    assert run.returncode != 0
    assert f'this checkout\'s code hash {code_hash(ROOT)} is not the study\'s (another)' in run.stderr + run.stdout
    assert not (tmp_path / 'reproduction' / 'machine_check').exists()


def test_a_cell_the_study_has_not_run_is_refused(tmp_path):
    _study(tmp_path, code_hash(ROOT))
    run = run_tool(TOOL, '--quick', '--out', str(tmp_path), '--seeds', '1', '--epochs', '1')
    assert run.returncode != 0
    assert 'the study has no record of finetune_r18_erf_1e_seed1 to compare with' in run.stderr + run.stdout


@pytest.mark.slow
def test_the_runs_go_beside_the_studys_records(tmp_path):
    study = _study(tmp_path, code_hash(ROOT))
    before = study.read_text()
    run = run_tool(TOOL, '--quick', '--out', str(tmp_path), '--seeds', '0', '--epochs', '1', timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert study.read_text() == before  # the study's records stay as they were
    check = json.loads((tmp_path / 'reproduction' / 'machine_check' / 'runs.json').read_text())
    assert check['code_hash'] == code_hash(ROOT)
    pre, fine = check['runs']['pretrain_r18_erf_seed0'], check['runs']['finetune_r18_erf_1e_seed0']
    assert fine['pretrain'] == 'pretrain_r18_erf_seed0' and 0 <= fine['bbox_mAP'] <= 1
    assert fine['code_hash'] == pre['code_hash'] == code_hash(ROOT)
    assert 0 < pre['erf_own_weight']['last'] <= 1 and 0 < pre['erf_own_share']['last'] <= 1
    assert (tmp_path / 'machine_check' / 'pretrain_r18_erf_seed0' / 'backbone.pth').is_file()
    assert f'finetune_r18_erf_1e_seed0: box AP {fine["bbox_mAP"]:.4f} here, 0.0500 recorded' in run.stdout
