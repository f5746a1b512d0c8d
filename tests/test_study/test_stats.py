"""The study's comparison rule and table cells."""
import math

from mmjigsaw.study.stats import compare, mean_std, totals, whole


def _runs(*aps):
    return [dict(bbox_mAP=a) for a in aps]


def test_verdicts_need_two_standard_errors():
    assert compare(_runs(0.30, 0.31, 0.32), _runs(0.20, 0.21, 0.22)).endswith('holds')
    assert compare(_runs(0.20, 0.21, 0.22), _runs(0.30, 0.31, 0.32)).endswith('reversed')
    assert 'not resolved' in compare(_runs(0.20, 0.30, 0.25), _runs(0.24, 0.26, 0.25))
    assert compare(_runs(0.3), _runs(0.2, 0.1)) == 'not enough runs yet'


def test_difference_and_standard_error_are_welchs():
    # means 0.31 and 0.21, variances 1e-4 each over 3 runs: SE = sqrt(2e-4 / 3) = 0.0082
    assert compare(_runs(0.30, 0.31, 0.32), _runs(0.20, 0.21, 0.22)) == '+0.100 +- 0.008: holds'
    # 1.3 SE apart: not resolved; on par (better, or worse by under 2 SE) holds 1.3 SE below
    a, b = _runs(0.30, 0.32), _runs(0.281, 0.301)
    assert compare(a, b) == '+0.019 +- 0.014: not resolved (within 2 SE)'
    assert compare(b, a, on_par=True) == '-0.019 +- 0.014: holds'
    assert compare(_runs(0.1, 0.11), a, on_par=True).endswith('reversed')


def test_table_cells_say_how_many_runs_and_never_print_nan():
    assert mean_std([0.1, 0.2, 0.3]) == '0.200 +- 0.100 (n=3)'
    assert mean_std([0.204]) == '0.204 (n=1)'
    assert mean_std([]) == 'not run'
    assert whole(1655.6) == '1656'
    assert whole(float('nan')) == 'not run'


def test_totals_add_each_runs_pretraining_and_take_the_median():
    pre = dict(seconds=100, cpu_seconds=150, images=1000)
    runs = [dict(seconds=10, cpu_seconds=20, images=5, pretrain='p'), dict(seconds=30, cpu_seconds=40, images=5),
            dict(seconds=50, cpu_seconds=60, images=5, pretrain='p')]
    t = totals(runs, lambda r: pre if r.get('pretrain') else None, lambda r: r['cpu_seconds'])
    assert t == dict(seconds=110, compute=170, images=1005)  # medians of (110, 30, 150), (170, 40, 210), ...
    assert all(math.isnan(v) for v in totals([], lambda r: None, lambda r: 0).values())
