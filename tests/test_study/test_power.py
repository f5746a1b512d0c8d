"""Seeds from the paired t-test's power: the maths, the first study's numbers, and the config's seeds."""
import json
import os.path as osp

import numpy as np
import pytest
from scipy import stats

from mmjigsaw.study.plan import PARTS, estimate_of, load_study
from mmjigsaw.study.power import (detectable_effect, estimate_power, paired_differences, paired_power, plan_estimates,
                                  pooled_sd, seeds_needed)
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')


def test_power_of_the_paired_t_test():
    # G*Power's paired t-test: d = 1, n = 10, alpha 0.05 two-sided -> 0.803
    assert paired_power(10, 0.01, 0.01, 0.05) == pytest.approx(0.8031, abs=1e-4)
    assert seeds_needed(0.01, 0.01, 0.05, 0.8) == 10 and paired_power(9, 0.01, 0.01, 0.05) < 0.8
    assert detectable_effect(10, 0.01, 0.05, 0.8) == pytest.approx(0.00996, abs=1e-5)
    assert paired_power(20, 0.0001, 0.01, 0.05) == 1.0  # far in the tail (scipy alone gives NaN)


def test_power_matches_a_simulation():
    rng = np.random.default_rng(0)
    d = rng.normal(0.01, 0.01, (20000, 5))
    simulated = (stats.ttest_1samp(d, 0, axis=1).pvalue < 0.05).mean()
    assert paired_power(5, 0.01, 0.01, 0.05) == pytest.approx(simulated, abs=0.01)  # 0.401


def test_pooled_sd_of_paired_differences():
    runs = {f'{row}_seed{s}': dict(bbox_mAP=ap) for row, aps in (('a', (0.30, 0.32, 0.37)), ('b', (0.20, 0.21, 0.25)))
            for s, ap in enumerate(aps)}
    assert paired_differences(runs, 'a', 'b') == pytest.approx([0.10, 0.11, 0.12])
    sd, df = pooled_sd([[0.10, 0.11, 0.12], [0.0, 0.02], [5.0]])  # variances 1e-4 (2 df) and 2e-4 (1 df)
    assert df == 3 and sd == pytest.approx(np.sqrt((2e-4 + 2e-4) / 3))


def test_the_first_studys_estimates():
    """The numbers the plan (and the study config's comment) quote."""
    estimates = {e.name: e for e in plan_estimates(load_study(STUDY, root=ROOT).analysis, ROOT)}
    curve, ablations, controls, init = (estimates[n] for n in ('curve', 'ablations', 'controls', 'init'))
    assert (round(curve.sd, 4), curve.df, curve.needed, curve.chosen) == (0.0103, 6, 11, 5)
    assert round(curve.power_at_chosen, 2) == 0.38 and round(curve.detectable_at_chosen, 3) == 0.017
    assert (round(ablations.sd, 4), ablations.needed, ablations.chosen) == (0.0045, 4, 3)
    assert (round(controls.sd, 4), controls.needed, controls.chosen) == (0.0116, 13, 3)
    assert (round(init.sd, 4), init.needed, init.chosen) == (0.0362, 106, 3)


def test_every_parts_seeds_are_its_estimates_choice():
    plan = load_study(STUDY, root=ROOT)
    chosen = {e.name: e.chosen for e in plan_estimates(plan.analysis, ROOT)}
    for name in PARTS:
        assert len(plan.parts[name].seeds) == chosen[estimate_of(name)], name
    assert len(plan.parts['curve'].same_schedule_seeds) == plan.analysis.min_seeds


def test_choice_stays_within_the_minimum_and_the_budget():
    with open(osp.join(ROOT, 'docs', 'reproduction', 'first_study', 'runs.json')) as f:
        runs = json.load(f)['runs']
    pairs = [('finetune_r18_erf_12e', 'finetune_r18_scratch_14e')]
    assert estimate_power('x', runs, pairs, 0.01, 0.05, 0.8, 3, 8).chosen == 8  # needs more than the budget
    assert estimate_power('x', runs, pairs, 0.5, 0.05, 0.8, 3, 8).chosen == 3  # needs 2: the minimum
