"""The paired test of two rows (against scipy's), its verdicts, the image bootstrap and table cells."""
import math

import numpy as np
import pytest
from scipy import stats

from mmjigsaw.evaluation.per_image_ap import ImageMatches
from mmjigsaw.study.stats import image_bootstrap, mean_std, paired_test, pairs, totals, whole


def _runs(*aps, seeds=None):
    return [dict(bbox_mAP=a, seed=s) for a, s in zip(aps, seeds or range(len(aps)))]


class TestPairedTest:

    def test_equals_scipys_paired_t_test(self):
        a, b = [0.212, 0.198, 0.230, 0.205, 0.221], [0.190, 0.185, 0.200, 0.199, 0.188]
        test = paired_test(_runs(*a), _runs(*b))
        ref = stats.ttest_rel(a, b)
        ci = ref.confidence_interval(0.95)
        assert test.p == pytest.approx(ref.pvalue, rel=1e-9) and test.n == 5
        assert test.diff == pytest.approx(np.mean(np.subtract(a, b)), abs=1e-12)
        assert (test.low, test.high) == (pytest.approx(ci.low, abs=1e-12), pytest.approx(ci.high, abs=1e-12))
        assert test.verdict == 'holds'  # p = 0.015 and the CI reaches past 0.01
        assert str(test) == '+0.0208 [+0.0067, +0.0349], p = 0.0149, n = 5: holds'

    def test_pairs_by_seed_not_by_position(self):
        a = _runs(0.30, 0.20, 0.25, seeds=[2, 0, 1])
        b = _runs(0.19, 0.24, 0.29, 0.5, seeds=[0, 1, 2, 3])  # seed 3 has no partner
        assert [(x['seed'], y['seed']) for x, y in pairs(a, b)] == [(0, 0), (1, 1), (2, 2)]
        test = paired_test(a, b)
        assert test.n == 3 and test.diff == pytest.approx((0.01 + 0.01 + 0.01) / 3)
        assert test.p == pytest.approx(stats.ttest_rel([0.20, 0.25, 0.30], [0.19, 0.24, 0.29]).pvalue)

    def test_verdicts(self):
        # a small but certain difference: its CI lies within +-0.01, "no effect of reportable size"
        assert paired_test(_runs(0.203, 0.304, 0.405), _runs(0.2, 0.3, 0.4)).verdict == 'no effect of reportable size'
        assert paired_test(_runs(0.2, 0.3, 0.4), _runs(0.25, 0.36, 0.44)).verdict == 'reversed'
        noisy = paired_test(_runs(0.22, 0.28, 0.45), _runs(0.2, 0.3, 0.4))
        assert noisy.verdict == 'not resolved' and noisy.p > 0.05
        # on par or better: holds when the CI's lower end is above -0.01, even if not significant
        assert paired_test(_runs(0.201, 0.299, 0.402), _runs(0.2, 0.3, 0.4), on_par=True).verdict in (
            'holds', 'no effect of reportable size')
        assert paired_test(_runs(0.25, 0.33, 0.47), _runs(0.2, 0.3, 0.4), on_par=True).verdict == 'holds'
        assert paired_test(_runs(0.3), _runs(0.2)) is None  # one pair: no test

    def test_a_null_effect_is_called_at_about_alpha(self):
        rng = np.random.default_rng(0)
        called = 0
        for _ in range(2000):
            a, b = rng.normal(0.2, 0.01, 3), rng.normal(0.2, 0.01, 3)
            called += paired_test(_runs(*a), _runs(*b)).verdict in ('holds', 'reversed')
        assert 0.035 < called / 2000 < 0.065  # the Welch 2-SE rule called 12-30 % with 2-3 seeds


def _matches(matched_rows):
    """One category, one box and one detection per image; ``matched_rows[i]``: image i's detection
    matches at every IoU threshold."""
    n = len(matched_rows)
    return ImageMatches(image_ids=np.arange(n), entry_image=np.arange(n, dtype=np.int32),
                        entry_category=np.ones(n, np.int32), entry_gts=np.ones(n, np.int32),
                        entry_start=np.arange(n + 1), scores=np.linspace(0.9, 0.1, n),
                        matched=np.tile(np.array(matched_rows, bool), (10, 1)), ignored=np.zeros((10, n), bool))


def test_image_bootstrap_resamples_images_once_for_every_run():
    good, bad = _matches([1, 1, 1, 1, 1, 1, 0, 0]), _matches([1, 1, 0, 0, 0, 0, 0, 0])
    diff, low, high = image_bootstrap([(good, bad), (good, bad)], samples=200, seed=0)
    assert low <= diff <= high and diff > 0.4 and low > 0
    same = image_bootstrap([(good, good)], samples=50, seed=0)
    assert same == (0.0, 0.0, 0.0)  # the same draw for both runs: no spread
    with pytest.raises(ValueError, match='different images'):
        image_bootstrap([(good, _matches([1, 1]))], samples=5, seed=0)


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
