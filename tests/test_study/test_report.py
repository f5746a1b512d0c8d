"""The report, written from runs.json: the committed plan comes out the same, and a report of made-up
runs compares only one code version, pair by pair."""
import os.path as osp
import shutil
from dataclasses import asdict

import numpy as np

from mmjigsaw.evaluation.per_image_ap import ImageMatches
from mmjigsaw.study import report_plan, report_tables
from mmjigsaw.study.cells import Cell
from mmjigsaw.study.claims import Comparison, Row
from mmjigsaw.study.plan import PARTS, load_study
from mmjigsaw.study.report import (Report, finish_dates, header, left_out, machine_check_records, machines,
                                   missing_runs, report_paths, study_records, write_report)
from mmjigsaw.study.results import Results
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
COMMITTED = osp.join(ROOT, 'docs', 'reproduction.md')
CALIBRATION = dict(unit='CPU s', pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0,
                   measured_from=[])  # E = 2 at 12 epochs


def _without_machine_and_date(text):
    return [line for line in text.splitlines() if not line.startswith(('Machine: ', 'Written: '))]


def test_the_committed_runs_give_the_committed_report(tmp_path):
    # runs.json with what the report reads beside it: the per-image matches, the machine check
    shutil.copytree(osp.join(ROOT, 'docs', 'reproduction'), tmp_path / 'reproduction')
    doc = tmp_path / 'reproduction.md'
    write_report(load_study(STUDY, root=ROOT), Results(str(tmp_path / 'reproduction' / 'runs.json')), PARTS, str(doc),
                 ROOT)
    with open(COMMITTED) as f:
        committed = f.read()
    assert _without_machine_and_date(doc.read_text()) == _without_machine_and_date(committed)


def _matches(hits):
    """One category, one box and one detection per image; ``hits[i]``: image i's detection matches."""
    n = len(hits)
    return ImageMatches(image_ids=np.arange(n), entry_image=np.arange(n, dtype=np.int32),
                        entry_category=np.ones(n, np.int32), entry_gts=np.ones(n, np.int32),
                        entry_start=np.arange(n + 1), scores=np.linspace(0.9, 0.1, n),
                        matched=np.tile(np.array(hits, bool), (10, 1)), ignored=np.zeros((10, n), bool))


def _study(tmp_path) -> Results:
    """Montage + 12 against random init at equal compute (14 e) for 5 seeds, with matches; the 12-epoch
    ablation variant `global` for 3 seeds; one record of an older code version."""
    results = Results(str(tmp_path / 'reproduction' / 'runs.json'))
    results.set_code_hash('new')
    results.set_calibration('r18', CALIBRATION)
    common = dict(code_hash='new', seconds=100.0, cpu_seconds=200.0, images=3600, bbox_mAP_50=0.5, iterations=250,
                  batch=32)
    for seed in range(5):
        erf = dict(first=0.9, last=0.6 + seed / 100)
        results.record(Cell('pretrain', 'r18', 'erf', '', 0, seed), erf_own_weight=erf, erf_own_share=erf, **common)
        montage = Cell('finetune', 'r18', 'erf', 'montage', 12, seed)
        scratch = Cell('finetune', 'r18', '', 'scratch', 14, seed)
        for cell, ap, hits in ((montage, 0.30 + seed / 100, [1] * 6 + [0] * 2),
                               (scratch, 0.20 + seed / 200, [1] * 3 + [0] * 5)):
            path = results.matches_path(cell.key)
            if not osp.isdir(osp.dirname(path)):
                shutil.os.makedirs(osp.dirname(path))
            _matches(hits).save(path)
            pre = dict(pretrain=cell.pretraining.key) if cell.pretraining else {}
            results.record(cell, bbox_mAP=ap, **pre, **common)
    for seed in range(3):
        results.record(Cell('pretrain', 'r18', 'global', '', 0, seed), erf_own_weight=None, erf_own_share=None,
                       **common)
        results.record(Cell('finetune', 'r18', 'global', 'montage', 12, seed), bbox_mAP=(0.296, 0.304, 0.317)[seed],
                       pretrain=f'pretrain_r18_global_seed{seed}', **common)
    results.record(Cell('finetune', 'r18', 'blockwise', 'montage', 12, 0), bbox_mAP=0.9,
                   **dict(common, code_hash='old'))
    return results


def test_a_report_compares_one_code_version_pair_by_pair(tmp_path):
    results = _study(tmp_path)
    doc = tmp_path / 'reproduction.md'
    write_report(load_study(STUDY, root=ROOT), results, PARTS, str(doc), ROOT)
    text = doc.read_text()
    # Montage + 12 beats random init at 14 e by 0.1 + seed / 200 over 5 pairs
    assert '| Montage + 12 e vs random init 14 e (equal compute) | +0.1100 [+0.1002, +0.1198], p = 6.36e-06, n = 5: ' \
           'holds |' in text
    # the bootstrap over val images: 6 of 8 against 3 of 8 images found (AP 0.752 and 0.376), every seed alike
    assert '| (the same, paired bootstrap over val images) | | +0.3762 [+0.1188, +0.7426] over val images, 5 pairs |' \
        in text
    assert '| 12 | 0.320 +- 0.016 (n=5) | 0.210 +- 0.008 (n=5) (14 e) | not run |' in text
    # the global head, paired with the method's first three seeds: differences 0.004, 0.006, 0.003 (p = 0.039,
    # CI within +-0.01), but the plan compares the global head with the block-wise one only: no verdict; the ERF
    # scalars per seed ("-": none logged)
    assert '| global head | 0.306 +- 0.011 (n=3) | 0.500 +- 0.000 (n=3) | -; -; - | -; -; - | +0.0043 [+0.0005, ' \
           '+0.0081], p = 0.039, n = 3: descriptive, no verdict: not a comparison of the plan |' in text
    # the method's row over the part's seeds 0-2, those its pairs use
    assert '| ERF-adaptive dense head, tau 0.7 (the method) | 0.310 +- 0.010 (n=3) | 0.500 +- 0.000 (n=3) | 0.900 -> ' \
           '0.600; 0.900 -> 0.610; 0.900 -> 0.620 |' in text
    assert '| each sample warped to its region | not run | not run | not run | not run | not run (0 of 3 planned ' \
           'pairs) |' in text
    # 400 CPU s (pre-training + fine-tuning) against 200: the curve says so
    assert 'Measured totals more than 10% apart (random init against Montage, medians): 12 e: -50%.' in text
    # this study's own seed SD of the paired differences: 0.1 + seed / 200 over 5 seeds
    assert '| curve | Montage + 12 e - random init 14 e (equal compute) | 0.0079 | 4 | 5 | 0.57 | 0.013 |' in text
    assert "- Machines: runs.json's `machine` names the kind of machine each run ran on." in text  # no finish times
    # the record of the old code is listed, not compared
    assert '- `old` (1 run): `finetune_r18_blockwise_12e_seed0`' in text
    assert 'block-wise head | not run |' in text
    assert (tmp_path / 'reproduction' / 'compute_curve.png').stat().st_size > 10_000
    assert (tmp_path / 'reproduction' / 'ablations.png').stat().st_size > 10_000


def test_a_comparison_short_of_its_planned_pairs_gets_its_numbers_but_no_verdict(tmp_path):
    results = _study(tmp_path)
    del results.runs['finetune_r18_scratch_14e_seed4']  # 4 of the 5 planned pairs of the curve at 12 epochs
    doc = tmp_path / 'reproduction.md'
    write_report(load_study(STUDY, root=ROOT), results, PARTS, str(doc), ROOT)
    text = doc.read_text()
    # Montage + 12 - random init 14 e over seeds 0-3: 0.1 + seed / 200
    assert '| Montage + 12 e vs random init 14 e (equal compute) | +0.1075 [+0.0972, +0.1178], p = 5.95e-05, n = 4: ' \
           'interim, 4 of 5 planned pairs: no verdict before all ran |' in text
    assert '| Montage + 6 e vs random init 9 e (equal compute) | not run (0 of 5 planned pairs) |' in text
    assert "| curve |" not in text  # no comparison has all its pairs: nothing to check the estimate with


def test_the_changes_set_the_first_studys_12_epoch_box_ap_beside_this_ones(tmp_path):
    results = _study(tmp_path)
    doc = tmp_path / 'reproduction.md'
    write_report(load_study(STUDY, root=ROOT), results, PARTS, str(doc), ROOT)
    assert 'Mean box AP of its 12-epoch runs' not in doc.read_text()  # random init 12 e has not run here
    for seed in range(3):
        results.record(Cell('finetune', 'r18', '', 'scratch', 12, seed), bbox_mAP=0.1, code_hash='new', seconds=1.0,
                       cpu_seconds=1.0, images=1, bbox_mAP_50=0.2)
    write_report(load_study(STUDY, root=ROOT), results, PARTS, str(doc), ROOT)
    # the first study's (docs/reproduction/first_study/runs.json): 0.204, 0.198, 0.206 and 0.078, 0.097, 0.098
    assert 'Mean box AP of its 12-epoch runs against this study\'s: Montage + 12 e 0.203 there, 0.320 here, random ' \
           'init 12 e 0.091 there, 0.100 here.' in doc.read_text()


def test_the_set_up_gives_each_machines_median_cost_of_the_methods_runs(tmp_path):
    results = _study(tmp_path)
    # seeds 0-1 on the first machine, 2-3 on the second at twice the cost, 4 on the third at half of it; the
    # global head's and random init's runs cost ten times the method's, which a like-for-like pace leaves out
    finished = dict(seed0='2026-12-01 07:00 UTC', seed1='2026-12-01 07:00 UTC', seed2='2026-12-01 10:00 UTC',
                    seed3='2026-12-02 09:00 UTC', seed4='2026-12-02 13:00 UTC')
    for key, run in results.runs.items():
        seed = key.rsplit('_', 1)[1]
        machine = report_plan.machine_of(dict(finished=finished[seed]))
        other = 1 if run['variant'] == 'erf' else 10
        run.update(finished=finished[seed], cpu_seconds=run['cpu_seconds'] * (1, 2, 0.5)[machine] * other)
    report = Report(load_study(STUDY, root=ROOT), results, PARTS, str(tmp_path / 'reproduction'), ROOT)
    text = report_plan._machines(report)
    assert 'ran on 3 machines of that kind, by when they finished: the first up to 2026-12-01 07:00 UTC, the ' \
           'second from 2026-12-01 09:29 UTC, the third from 2026-12-02 12:31 UTC.' in text
    # the method's fine-tunings: 200 CPU s over 12 epochs, 16.7 per epoch on the first machine, twice that on
    # the second, half on the third; its pre-trainings 200 CPU s on the first
    assert 'Median CPU s of the method\'s ResNet-18 (half width) runs (the machine check\'s included: variants and ' \
           'initialisations differ in cost), with its ratio to the first\'s: per fine-tuning epoch 17 on the first, ' \
           '33 on the second (2.0x), 8 on the third (0.5x); per pre-training 200 on the first, 400 on the second ' \
           '(2.0x), 100 on the third (0.5x).' in text
    assert 'So far the ablation variants ran on the first and second, each paired' in text  # global: seeds 0-2


def test_the_controls_give_the_methods_mean_over_their_seeds_and_what_direct_pretraining_cost(tmp_path):
    results = _study(tmp_path)
    results.set_calibration('r18/direct', dict(unit='CPU s', pretrain_compute=200.0, epoch_compute_direct=20.0,
                                               epochs=10, probe='pretrain_r18_direct-2e_seed0', probe_compute=50.0,
                                               measured_from=[]))
    common = dict(code_hash='new', seconds=100.0, images=3600, bbox_mAP_50=0.5, finished='2026-12-02 13:00 UTC')
    for seed in range(3):
        pre = results.record(Cell('pretrain', 'r18', 'direct', '', 10, seed), cpu_seconds=250.0 + 10 * seed, **common)
        results.record(Cell('finetune', 'r18', 'direct', 'direct', 12, seed, pretrain_epochs=10), bbox_mAP=0.4,
                       cpu_seconds=200.0, pretrain=pre['key'], **common)
    report = Report(load_study(STUDY, root=ROOT), results, ['direct'], str(tmp_path / 'reproduction'), ROOT)
    text = '\n'.join(report_tables.controls(report, []))
    # the method's 12-epoch box AP: 0.30-0.34 over seeds 0-4, 0.31 over the controls' 0-2
    assert '| Montage + 12 e (the method) | 0.320 +- 0.016 (n=5) |' in text
    assert 'over the controls\' seeds (0, 1, 2), the method\'s mean box AP is 0.310.' in text
    assert 'Its 3 runs cost 250-270 CPU s (median 260) against P = 200 (1.3x): the direct arm had more ' \
           'pre-training compute than the plan meant' in text


def test_the_forecast_goes_at_the_pace_of_the_machine_the_study_runs_on_now(tmp_path):
    results = _study(tmp_path)
    for run in results.runs.values():
        run['finished'] = '2026-12-01 07:00 UTC'  # the first machine: 100 s a run, 8.3 s a fine-tuning epoch
    third = dict(code_hash='new', cpu_seconds=200.0, images=3600, bbox_mAP_50=0.5, finished='2026-12-02 13:00 UTC')
    pre = results.record(Cell('pretrain', 'r18', 'tau0.5', '', 0, 0), seconds=100.0, **third)
    results.record(Cell('finetune', 'r18', 'tau0.5', 'montage', 12, 0), bbox_mAP=0.3, seconds=600.0,
                   pretrain=pre['key'], **third)
    report = Report(load_study(STUDY, root=ROOT), results, ['heads'], str(tmp_path / 'reproduction'), ROOT)
    text = '\n'.join(left_out(report))
    # 8 pre-trainings (100 s) and 8 fine-tunings of 12 epochs at the third machine's 50 s: 1.6 h
    assert 'latest 3 runs of each kind on the machine it runs on now (the third; ' in text
    assert 'they take about 1.6 h (a forecast' in text


def test_the_machine_check_sets_each_run_beside_the_studys_record(tmp_path):
    results = _study(tmp_path)
    report = Report(load_study(STUDY, root=ROOT), results, PARTS, str(tmp_path / 'reproduction'), ROOT)
    assert report_tables.machine_check(report) == []  # not run: no section
    for run in results.runs.values():
        run['finished'] = '2026-12-01 07:00 UTC'  # the study's records on the first machine
    results.runs['finetune_r18_global_12e_seed2']['finished'] = '2026-12-01 10:00 UTC'  # one on the second
    check = Results(str(tmp_path / 'reproduction' / 'machine_check' / 'runs.json'))
    check.set_code_hash('new')
    for seed, ap in ((0, 0.31), (1, 0.30), (2, 0.33)):  # recorded: 0.30, 0.31, 0.32
        erf = dict(first=0.9, last=0.7)
        check.record(Cell('pretrain', 'r18', 'erf', '', 0, seed), erf_own_weight=erf, erf_own_share=erf,
                     code_hash='new')
        check.record(Cell('finetune', 'r18', 'erf', 'montage', 12, seed), bbox_mAP=ap, code_hash='new',
                     finished='2026-12-02 13:00 UTC', pretrain=f'pretrain_r18_erf_seed{seed}', seconds=100.0,
                     cpu_seconds=150.0)
    # the study has no record of this one
    check.record(Cell('finetune', 'r18', 'erf', 'montage', 6, 0), bbox_mAP=0.2, code_hash='new')
    report = Report(report.plan, results, PARTS, report.doc_dir, ROOT)
    text = '\n'.join(report_tables.machine_check(report))
    assert '| `finetune_r18_erf_12e_seed0` | first, 0.3000 | third, 0.3100 | +0.0100 | 0.600 / 0.600; 0.700 / 0.700 ' \
           '|' in text
    assert '| `finetune_r18_erf_12e_seed2` | first, 0.3200 | third, 0.3300 | +0.0100 |' in text
    assert '6e' not in text
    # differences +0.01, -0.01, +0.01: mean 0.0033, SD 0.0115, SE 0.0067, t(2) 4.303 gives +-0.0287; p = 0.67
    assert 'Again - recorded over 3 seeds: +0.0033 box AP [-0.0254, +0.0320] (95% CI, paired t), p = 0.67.' in text
    assert 'is an assumption which the Machine check section below tests on the third, not on the second:' in \
        report_plan._machines(report)


def test_the_header_names_the_runs_machines_and_finish_dates():
    runs = [dict(machine='2 x CPU A', finished='2026-11-30 13:05 UTC'),
            dict(machine='2 x CPU A', finished='2026-11-30 12:40 UTC'),
            dict(machine='16 x CPU B', finished='2026-12-01 09:00 UTC')]
    assert machines(runs[:2]) == '2 x CPU A'
    assert machines(runs) == '2 x CPU A (2 runs); 16 x CPU B (1 run)'
    assert machines([]).endswith("(this report's; no run recorded one yet)")
    assert finish_dates(runs) == "2026-11-30 12:40 UTC to 2026-12-01 09:00 UTC (each run's in runs.json)"
    assert finish_dates([dict(seconds=1.0)]) == 'none yet'


def test_missing_runs_list_each_run_once_fixed_lengths_first(tmp_path):
    results = _study(tmp_path)
    report = Report(load_study(STUDY, root=ROOT), results, ['heads'], str(tmp_path / 'reproduction'), ROOT)
    missing = missing_runs(report).keys
    assert missing[:6] == ['pretrain_r18_blockwise_seed0', 'finetune_r18_blockwise_12e_seed0',
                           'pretrain_r18_tau0.5_seed0', 'finetune_r18_tau0.5_12e_seed0',
                           'pretrain_r18_tau1.0_seed0', 'finetune_r18_tau1.0_12e_seed0']
    # blockwise (its fine-tuning stale), tau 0.5, tau 1.0 x 3 seeds, each with its pre-training
    assert len(missing) == len(set(missing)) == 3 * 3 * 2
    results.set_calibration('r18/extension', dict(due=False))
    report = Report(report.plan, results, ['curve'], report.doc_dir, ROOT)
    assert not [k for k in missing_runs(report).keys if '48e' in k]  # an extension decided against is not planned


def test_left_out_counts_the_direct_pretrainings_that_wait_for_their_probe(tmp_path):
    report = Report(load_study(STUDY, root=ROOT), _study(tmp_path), ['direct'], str(tmp_path / 'reproduction'), ROOT)
    # the probe, then each seed's direct fine-tuning standing for itself and its pre-training of unknown length
    assert missing_runs(report) == (['pretrain_r18_direct-2e_seed0', 'finetune_r18_direct_12e_seed0',
                                     'finetune_r18_direct_12e_seed1', 'finetune_r18_direct_12e_seed2'], 3)
    assert left_out(report)[2].startswith('7 planned runs (pre-trainings included) have not run yet, 4 listed here '
                                          '(3 direct pre-trainings, whose length waits for the probe, each listed by')


def test_the_report_and_its_records_live_where_both_study_tools_look(tmp_path):
    root, out = str(tmp_path / 'repo'), str(tmp_path / 'work')
    assert report_paths(None, out, False, root) == (f'{root}/docs/reproduction.md', f'{root}/docs/reproduction')
    assert report_paths(None, out, True, root) == (f'{out}/reproduction.md', f'{out}/reproduction')
    assert report_paths(f'{root}/other.md', out, True, root) == (f'{root}/other.md', f'{root}/other')
    assert study_records(f'{root}/docs/reproduction') == f'{root}/docs/reproduction/runs.json'
    assert machine_check_records(f'{root}/docs/reproduction') == f'{root}/docs/reproduction/machine_check/runs.json'


def test_a_diverged_run_is_listed_with_its_reason_not_as_missing_and_its_comparison_gets_no_verdict(tmp_path):
    results = _study(tmp_path)
    cell = Cell('finetune', 'r18', 'global', 'montage', 12, 2)
    del results.runs[cell.key]
    diverged = dict(asdict(cell), code_hash='new', machine='m', finished='2026-12-02 19:40 UTC',
                    reason='training loss NaN from epoch 4, iteration 124, lr 0.01', log='w/train.log')
    results.data['diverged'] = {cell.key: diverged,
                                'finetune_r18_global_12e_seed7': dict(diverged, code_hash='old', seed=7)}
    report = Report(load_study(STUDY, root=ROOT), results, ['heads'], str(tmp_path / 'reproduction'), ROOT)
    assert cell.key not in missing_runs(report).keys and 'pretrain_r18_blockwise_seed0' in missing_runs(report).keys
    text = '\n'.join(left_out(report))
    assert 'not run again at this code hash (on the machine where it diverged training is deterministic, so it would ' \
           'diverge again there): `finetune_r18_global_12e_' \
           'seed2` (training loss NaN from epoch 4, iteration 124, lr 0.01; 2026-12-02 19:40 UTC, m; its log: ' \
           '`w/train.log`) (mmengine counts iterations over the whole run, not per epoch).' in text
    comparison = Comparison('erf vs global', '', Row('r18', 'erf', 12, 'ERF'), Row('r18', 'global', 12, 'global'))
    assert report.verdict(comparison).endswith('2 of 3 planned pairs (global: seed 2 diverged): no verdict')


def test_left_out_with_every_planned_run_done_lists_only_the_diverged_one(tmp_path):
    results = _study(tmp_path)
    report = Report(load_study(STUDY, root=ROOT), results, ['heads'], str(tmp_path / 'reproduction'), ROOT)
    for step in report.plan.steps(['heads']):
        cell = step.run.resolve(report.calibrated)
        for run in (cell.pretraining, cell):
            if run is not None and run.key not in results.comparable:
                results.record(run, bbox_mAP=0.1, code_hash='new', seconds=1.0)
    report = Report(report.plan, results, ['heads'], report.doc_dir, ROOT)
    assert left_out(report)[2] == 'Nothing: every planned run finished.'
    cell = Cell('finetune', 'r18', 'global', 'montage', 12, 2)
    del results.runs[cell.key]
    results.data['diverged'] = {cell.key: dict(asdict(cell), code_hash='new', machine='m', finished='f', reason='r',
                                               log='l')}
    report = Report(report.plan, results, ['heads'], report.doc_dir, ROOT)
    paragraphs = left_out(report)[2].split('\n\n')
    assert paragraphs[0] == 'Every planned run has run.' and paragraphs[1].startswith('Diverged, so without box AP')
    assert len(paragraphs) == 2 and '`finetune_r18_global_12e_seed2` (r; f, m; its log: `l`)' in paragraphs[1]


def test_the_set_up_lists_each_pretraining_run_again_beside_its_first_measurement(tmp_path):
    results = _study(tmp_path)
    report = Report(load_study(STUDY, root=ROOT), results, PARTS, str(tmp_path / 'reproduction'), ROOT)
    assert 'lists the later ones under `again`; a fine-tuning names the measurement its backbone came from in ' \
           '`pretrain_again`' in '\n'.join(report_plan.setup(report))
    for seed, last in ((1, 0.61), (2, 0.625)):
        cell = Cell('pretrain', 'r18', 'erf', '', 0, seed)
        erf = dict(first=0.9, last=last)
        results.record_again(cell, finished='2026-12-03 10:00 UTC', erf_own_weight=erf, erf_own_share=erf,
                             **(dict(machine='a new machine') if seed == 2 else {}))
    again = Report(report.plan, results, PARTS, report.doc_dir, ROOT)
    text = '\n'.join(report_plan.setup(again))
    # the header counts the runs again where they ran and when they finished, as it counts their hours
    lines = header(again)  # (the first measurements here record no machine)
    assert 'Machine: a new machine  ' in lines and any('to 2026-12-03 10:00 UTC (each run' in line for line in lines)
    assert 'under `again`: `pretrain_r18_erf_seed1` on 2026-12-03 10:00 UTC, ending at 0.610 / 0.610 (equal to the ' \
           'first measurement to the last bit); `pretrain_r18_erf_seed2` on 2026-12-03 10:00 UTC, ending at 0.625 / ' \
           '0.625 (first: 0.620 / 0.620); a fine-tuning names' in text
