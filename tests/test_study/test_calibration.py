"""Equal compute: the calibration measured from finished runs, and the extra epochs it gives."""
from mmjigsaw.study.calibration import (Calibrations, equal_epochs, extra_epochs, measure, measure_direct,
                                        measure_extension)
from mmjigsaw.study.plan import LauncherSpec

PYTHON = LauncherSpec('python')


def _run(key, kind='finetune', backbone='r18', variant='erf', init='montage', epochs=4, cpu=0.0, seconds=100.0,
         train_seconds=100.0):
    return dict(key=key, kind=kind, backbone=backbone, variant=variant, init=init, epochs=epochs, cpu_seconds=cpu,
                seconds=seconds, train_seconds=train_seconds)


RUNS = [
    _run('p0', kind='pretrain', init='', epochs=0, cpu=400), _run('p1', kind='pretrain', init='', epochs=0, cpu=420),
    _run('p2', kind='pretrain', init='', epochs=0, cpu=380),
    _run('m0', cpu=400, train_seconds=80),  # 400 x 0.8 / 4 epochs = 80 per epoch
    _run('m1', cpu=480, train_seconds=120),  # training share clipped at 1: 120
    _run('m2', cpu=440, train_seconds=50),  # 55
    _run('s0', variant='', init='scratch', cpu=500, train_seconds=80),  # 100
    # not at the calibrated length, another variant, another backbone: ignored
    _run('s8', variant='', init='scratch', epochs=8, cpu=10000), _run('w0', variant='warp', cpu=10000),
    _run('b0', backbone='mbv2', cpu=10000),
]


def test_measure_takes_medians_over_the_runs_at_one_length():
    assert measure(RUNS, 'r18', 4, PYTHON) == dict(
        unit='CPU s', pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0,
        measured_from=['m0', 'm1', 'm2', 'p0', 'p1', 'p2', 's0'])


def test_measure_counts_gpu_seconds_with_the_dist_launcher():
    measured = measure(RUNS, 'r18', 4, LauncherSpec('dist', gpus=8))
    assert measured['unit'] == 'GPU s' and measured['pretrain_compute'] == 800.0  # 100 s wall x 8 GPUs
    assert measured['epoch_compute_scratch'] == 160.0  # 800 x 0.8 / 4


def test_measure_needs_a_pretraining_and_both_fine_tunings():
    assert measure([r for r in RUNS if r['key'] != 's0'], 'r18', 4, PYTHON) is None
    assert measure([r for r in RUNS if r['kind'] != 'pretrain'], 'r18', 4, PYTHON) is None
    assert measure(RUNS, 'r18', 12, PYTHON) is None


def test_extra_epochs_give_random_init_the_pretrainings_compute():
    # the committed study's ResNet-18: P = 394.6 CPU s, f_m = 86.6, f_s = 101.0 -> 7, 11 and 14 epochs
    c = dict(pretrain_compute=394.6, epoch_compute_montage=86.6, epoch_compute_scratch=101.0)
    assert [extra_epochs(c, L) for L in (4, 8, 12)] == [3, 3, 2]
    c = dict(pretrain_compute=400.0, epoch_compute_montage=80.0, epoch_compute_scratch=100.0)
    assert extra_epochs(c, 4) == 3 and extra_epochs(c, 20) == 0  # (400 - 20 x 20) / 100 = 0: equal compute
    assert extra_epochs(c, 48) == -6  # (400 - 48 x 20) / 100 = -5.6: random init trains 42 epochs
    cheap = dict(pretrain_compute=0.0, epoch_compute_montage=10.0, epoch_compute_scratch=100.0)
    assert extra_epochs(cheap, 3) == -2  # round(-2.7) = -3, but never under one epoch in all
    assert equal_epochs({'r18': c}, None, 'r18', 4) == 7
    assert equal_epochs({'r18': c}, None, 'mbv2', 4) is None  # not calibrated: no length, nothing runs
    assert equal_epochs({}, 1, 'mbv2', 2) == 3  # --quick fixes E


def test_direct_pretraining_costs_what_montage_pretraining_costs():
    probe = _run('pretrain_r18_direct-2e_seed0', kind='pretrain', variant='direct', init='', epochs=2, cpu=70.0,
                 seconds=50.0, train_seconds=40.0)  # 70 x 0.8 / 2 = 28 CPU s per 192 px epoch
    measured = measure_direct(RUNS + [probe], 'r18', probe['key'], PYTHON)
    assert measured == dict(unit='CPU s', pretrain_compute=400.0, epoch_compute_direct=28.0, epochs=14,
                            probe='pretrain_r18_direct-2e_seed0', probe_compute=70.0,
                            measured_from=['p0', 'p1', 'p2', 'pretrain_r18_direct-2e_seed0'])  # 400 / 28 = 14.3
    assert measure_direct(RUNS, 'r18', probe['key'], PYTHON) is None  # the probe has not run
    assert Calibrations({'r18/direct': measured}).direct_epochs('r18') == 14
    assert Calibrations({}, fixed_direct=2).direct_epochs('r18') == 2 and Calibrations({}).direct_epochs('r18') is None


def _ap_runs(prefix, aps):
    return [dict(key=f'{prefix}_seed{s}', bbox_mAP=ap, seed=s) for s, ap in enumerate(aps)]


def test_the_extension_is_due_when_both_arms_still_climb():
    montage = {12: _ap_runs('m12', [0.20, 0.22, 0.21]), 24: _ap_runs('m24', [0.25, 0.26, 0.27])}
    equal = {14: _ap_runs('s14', [0.12, 0.13, 0.14]), 25: _ap_runs('s25', [0.14, 0.13, 0.145])}
    decided = measure_extension(montage, equal, 3, 0.01)
    assert decided['due'] is False and decided['montage_climb'] == 0.05 and decided['equal_climb'] == 0.0083
    equal[25] = _ap_runs('s25', [0.20, 0.21, 0.22])
    assert measure_extension(montage, equal, 3, 0.01)['due'] is True
    assert measure_extension(montage, equal, 5, 0.01) is None  # not every seed finished
    assert Calibrations({'r18/extension': dict(due=True)}).extension_due('r18') is True
    assert Calibrations({}).extension_due('r18') is None and Calibrations({}, fixed_extension=True).extension_due('x')
