"""The report, written from runs.json: the committed study's report comes out the same."""
import os.path as osp
import shutil

from mmjigsaw.study.plan import PARTS, load_study
from mmjigsaw.study.report import Report, missing_runs, write_report
from mmjigsaw.study.results import Results
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
COMMITTED = osp.join(ROOT, 'docs', 'reproduction.md')


def _committed_results(tmp_path) -> Results:
    shutil.copy(osp.join(ROOT, 'docs', 'reproduction', 'runs.json'), tmp_path / 'runs.json')
    return Results(str(tmp_path / 'runs.json'))


def _without_machine_and_date(text):
    return [line for line in text.splitlines() if not line.startswith(('Machine: ', 'Written: '))]


def test_the_committed_runs_give_the_committed_report(tmp_path):
    doc = tmp_path / 'reproduction.md'
    write_report(load_study(STUDY, root=ROOT), _committed_results(tmp_path), PARTS, str(doc))
    with open(COMMITTED) as f:
        committed = f.read()
    assert _without_machine_and_date(doc.read_text()) == _without_machine_and_date(committed)
    assert (tmp_path / 'reproduction' / 'compute_curve.png').stat().st_size > 10_000
    assert (tmp_path / 'reproduction' / 'ablations.png').stat().st_size > 10_000


def test_missing_runs_list_fixed_lengths_first_then_equal_compute(tmp_path):
    results = _committed_results(tmp_path)
    del results.runs['finetune_r18_warp_4e_seed1'], results.calibration['mbv2']
    report = Report(load_study(STUDY, root=ROOT), results, PARTS, str(tmp_path / 'reproduction'))
    equal = [f'finetune_mbv2_scratch-equal-to-4e_seed{seed}' for seed in range(3)]
    assert missing_runs(report) == ['finetune_r18_warp_4e_seed1', *equal]
    doc = tmp_path / 'r.md'
    write_report(report.plan, results, ['init'], str(doc))
    text = doc.read_text()
    assert '3 planned runs have not run yet: `finetune_mbv2_scratch-equal-to-4e_seed0`' in text
    assert '| MobileNetV2 | random init, equal compute | not run | not run | not run | not run | not run |' in text
    assert 'Parts not requested in this run: curve, heads, context, assembly.' in text
