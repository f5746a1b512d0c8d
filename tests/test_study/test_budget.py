"""The duration forecast: every planned run from an earlier study's times, then only the runs left, at
this study's own times and decisions once it has them."""
import os.path as osp

import pytest

from mmjigsaw.study.budget import estimate_hours
from mmjigsaw.study.plan import load_study
from helpers import ROOT

STUDY = osp.join(ROOT, 'configs', 'reproduce', 'reproduce_demo.py')
#: E = round((400 + L x 80 - L x 100) / 100): 2 at 12 epochs, -6 at 48
CALIBRATION = dict(unit='CPU s', pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0,
                   measured_from=[])


def _run(kind, backbone, init, epochs, seed, seconds, variant='erf'):
    key = f'{kind}_{backbone}_{variant if init == "montage" else init}_{epochs}e_seed{seed}' if kind == 'finetune' \
        else f'pretrain_{backbone}_{variant}_seed{seed}'
    return key, dict(kind=kind, backbone=backbone, variant=variant, init=init, epochs=epochs, seed=seed,
                     seconds=seconds)


#: pre-training 100 s; a fine-tuning epoch 10 s from Montage weights, 20 s from random init
EARLIER = dict(runs=dict((_run('pretrain', 'r18', '', 0, 0, 100.0), _run('finetune', 'r18', 'montage', 4, 0, 40.0),
                          _run('finetune', 'r18', 'scratch', 4, 0, 80.0, variant=''))),
               calibration=dict(r18=CALIBRATION))


@pytest.fixture(scope='module')
def plan():
    return load_study(STUDY, root=ROOT)


def test_every_planned_run_costs_the_earlier_studys_median(plan):
    # heads: 5 variants x 3 seeds, each a pre-training and 12 fine-tuning epochs from its weights
    hours, extension, runs = estimate_hours(plan.steps(['heads']), EARLIER)
    assert runs == 30 and extension == 0
    assert hours == pytest.approx(15 * (100 + 12 * 10) / 3600)


def test_only_the_runs_left_count_at_this_studys_own_times(plan):
    done = dict(runs=dict((_run('pretrain', 'r18', '', 0, 0, 50.0), _run('finetune', 'r18', 'montage', 12, 0, 36.0))),
                calibration={})
    hours, _, runs = estimate_hours(plan.steps(['heads']), EARLIER, done)
    assert runs == 28  # the method's seed 0 and its pre-training are done
    assert hours == pytest.approx(14 * (50 + 12 * 3) / 3600)


def test_this_studys_times_are_those_of_its_latest_runs(plan):
    # the method's fine-tunings of seeds 0-3, recorded out of order: 1 s per epoch on a first machine,
    # then 3, 4 and 5 s on a slower one; the forecast takes the median of the latest three (4 s)
    done = dict(runs={}, calibration={})
    for seed, (finished, per_epoch) in enumerate((('2026-12-01 04:00 UTC', 5.0), ('2026-12-01 01:00 UTC', 1.0),
                                                  ('2026-12-01 02:00 UTC', 3.0), ('2026-12-01 03:00 UTC', 4.0))):
        key, run = _run('finetune', 'r18', 'montage', 12, seed, 12 * per_epoch)
        done['runs'][key] = dict(run, finished=finished)
    hours, _, runs = estimate_hours(plan.steps(['heads']), EARLIER, done)
    assert runs == 27  # every pre-training and the 4 variants' 12 fine-tunings
    assert hours == pytest.approx((15 * 100 + 12 * 12 * 4.0) / 3600)


def test_the_extension_counts_apart_until_decided(plan):
    steps = plan.steps(['curve'])
    _, extension, _ = estimate_hours(steps, EARLIER)
    assert extension == pytest.approx(5 * (48 * 10 + (48 - 6) * 20) / 3600)  # Montage + 48 and random init 42 e
    undecided, _, runs = estimate_hours(steps, EARLIER, dict(runs={}, calibration={}))
    for due, more in ((False, 0.0), (True, extension)):
        decided = dict(runs={}, calibration={'r18/extension': dict(due=due)})
        hours, left, with_decision = estimate_hours(steps, EARLIER, decided)
        assert left == 0 and hours == pytest.approx(undecided + more)
        assert with_decision == runs - (0 if due else 10)


def test_the_machine_it_runs_on_now_sets_the_pace_and_the_controls_cost_as_random_init(plan):
    # random init ran only on an old machine (8 s per epoch); on the machine of now only the unfrozen
    # control trained every layer (5 s per epoch), and the method's epochs cost 2 s there
    done = dict(runs={}, calibration=dict(r18=CALIBRATION))
    key, old = _run('finetune', 'r18', 'scratch', 12, 0, 12 * 8.0, variant='')
    done['runs'][key] = old
    key, unfrozen = _run('finetune', 'r18', 'montage-unfrozen', 12, 0, 12 * 5.0, variant='erf')
    key, method = _run('finetune', 'r18', 'montage', 12, 0, 12 * 2.0)
    done['runs'].update({'unfrozen': unfrozen, key: method})
    steps = [step for step in plan.steps(['curve']) if getattr(step.run, 'seed', 0) == 1]
    hours, _, _ = estimate_hours(steps, EARLIER, done)
    here, _, _ = estimate_hours(steps, EARLIER, done, here=[unfrozen, method])
    # seed 1's curve: its pre-training (100 s), 6 + 12 + 24 epochs of the method and 12 (the same length)
    # plus, with E = 3, 2, -1, 9 + 14 + 23 of random init: at the pace of the machine of now, or of the latest
    # runs of all machines
    assert here == pytest.approx((100 + 42 * 2.0 + 58 * 5.0) / 3600)
    assert hours == pytest.approx((100 + 42 * 2.0 + 58 * (8.0 + 5.0) / 2) / 3600)
