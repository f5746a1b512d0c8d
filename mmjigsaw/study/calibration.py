"""Equal compute: how many extra fine-tuning epochs E give random init the compute of Montage pre-training.

E = round((P + L f_m - L f_s) / f_s) for Montage + L epochs, P the pre-training's compute and f_m, f_s
one fine-tuning epoch's from a Montage and a random backbone (the random one trains every layer, so
its epoch costs more), each the median over the finished runs at one length. :func:`measure` is the
explicit step that computes P, f_m and f_s from finished runs (it starts nothing);
:func:`equal_epochs` only reads its result.
"""
import statistics
from typing import Dict, Iterable, Optional

from .plan import LauncherSpec


def epoch_compute(rec: Dict, launcher: LauncherSpec) -> float:
    """Compute of one fine-tuning epoch of a run: its compute less the share of its wall time spent
    outside training iterations (start-up, evaluation), over its epochs."""
    return launcher.compute(rec) * min(1.0, rec['train_seconds'] / rec['seconds']) / rec['epochs']


def measure(runs: Iterable[Dict], backbone: str, length: int, launcher: LauncherSpec) -> Optional[Dict]:
    """P, f_m and f_s of ``backbone`` from the finished ERF pre-trainings and the Montage and random
    init fine-tunings of ``length`` epochs (medians), with the keys they came from; None while one of
    the three is missing."""
    same = [r for r in runs if r['backbone'] == backbone and r['epochs'] in (0, length)]
    pre = [r for r in same if r['kind'] == 'pretrain' and r['variant'] == 'erf']
    montage = [r for r in same if r['kind'] == 'finetune' and r['init'] == 'montage' and r['variant'] == 'erf']
    scratch = [r for r in same if r['kind'] == 'finetune' and r['init'] == 'scratch']
    if not (pre and montage and scratch):
        return None
    return dict(unit=launcher.unit, pretrain_compute=round(statistics.median(map(launcher.compute, pre)), 1),
                epoch_compute_montage=round(statistics.median(epoch_compute(r, launcher) for r in montage), 1),
                epoch_compute_scratch=round(statistics.median(epoch_compute(r, launcher) for r in scratch), 1),
                measured_from=sorted(r['key'] for r in pre + montage + scratch))


def extra_epochs(calibration: Dict, epochs: int) -> int:
    """E for Montage + ``epochs`` (at least 1)."""
    c = calibration
    extra = (c['pretrain_compute'] + epochs * (c['epoch_compute_montage'] - c['epoch_compute_scratch'])) \
        / c['epoch_compute_scratch']
    return max(1, round(extra))


def equal_epochs(calibrations: Dict[str, Dict], fixed_extra: Optional[int], backbone: str,
                 epochs: int) -> Optional[int]:
    """L + E for Montage + ``epochs``: E fixed (``--quick``) or from the backbone's calibration; None
    before that calibration exists."""
    if fixed_extra is not None:
        return epochs + fixed_extra
    if backbone in calibrations:
        return epochs + extra_epochs(calibrations[backbone], epochs)
    return None
