"""Decisions measured on finished runs: the equal-compute epochs, direct pre-training's epochs, the
curve's extension.

Equal compute: E = round((P + L f_m - L f_s) / f_s) extra epochs for random init against Montage + L,
P the pre-training's compute and f_m, f_s one fine-tuning epoch's from a Montage and a random
backbone (the random one trains every layer, so its epoch costs more), each the median over the
finished runs at one length. Direct pre-training: D = round(P / g) epochs, g one epoch of the
low-resolution detector's training measured on a short probe run. Extension: the curve's next length
runs when both arms gained more than a threshold of box AP between its two longest planned lengths.
Each ``measure_*`` is an explicit step that computes from finished runs and starts nothing;
:class:`Calibrations` only reads what they stored.
"""
import statistics
from typing import Dict, Iterable, List, Optional

from .plan import LauncherSpec


def epoch_compute(rec: Dict, launcher: LauncherSpec) -> float:
    """Compute of one training epoch of a run: its compute less the share of its wall time spent
    outside training iterations (start-up, evaluation), over its epochs."""
    return launcher.compute(rec) * min(1.0, rec['train_seconds'] / rec['seconds']) / rec['epochs']


def _montage_pretrainings(runs: Iterable[Dict], backbone: str) -> List[Dict]:
    return [r for r in runs if r['backbone'] == backbone and r['kind'] == 'pretrain' and r['variant'] == 'erf']


def measure(runs: Iterable[Dict], backbone: str, length: int, launcher: LauncherSpec) -> Optional[Dict]:
    """P, f_m and f_s of ``backbone`` from the finished ERF pre-trainings and the Montage and random
    init fine-tunings of ``length`` epochs (medians), with the keys they came from; None while one of
    the three is missing."""
    runs = list(runs)
    pre = _montage_pretrainings(runs, backbone)
    same = [r for r in runs if r['backbone'] == backbone and r['kind'] == 'finetune' and r['epochs'] == length]
    montage = [r for r in same if r['init'] == 'montage' and r['variant'] == 'erf']
    scratch = [r for r in same if r['init'] == 'scratch']
    if not (pre and montage and scratch):
        return None
    return dict(unit=launcher.unit, pretrain_compute=round(statistics.median(map(launcher.compute, pre)), 1),
                epoch_compute_montage=round(statistics.median(epoch_compute(r, launcher) for r in montage), 1),
                epoch_compute_scratch=round(statistics.median(epoch_compute(r, launcher) for r in scratch), 1),
                measured_from=sorted(r['key'] for r in pre + montage + scratch))


def measure_direct(runs: Iterable[Dict], backbone: str, probe_key: str, launcher: LauncherSpec) -> Optional[Dict]:
    """D for ``backbone`` from the finished ERF pre-trainings (P, median) and the probe (g); None while
    either is missing."""
    runs = list(runs)
    pre = _montage_pretrainings(runs, backbone)
    probe = next((r for r in runs if r['key'] == probe_key), None)
    if not pre or probe is None:
        return None
    p, g = statistics.median(map(launcher.compute, pre)), epoch_compute(probe, launcher)
    return dict(unit=launcher.unit, pretrain_compute=round(p, 1), epoch_compute_direct=round(g, 1),
                epochs=max(1, round(p / g)), probe=probe_key, probe_compute=round(launcher.compute(probe), 1),
                measured_from=sorted(r['key'] for r in pre) + [probe_key])


def measure_extension(montage: Dict[int, List[Dict]], equal: Dict[int, List[Dict]], seeds: int,
                      threshold: float) -> Optional[Dict]:
    """Whether both arms still climb: ``montage`` and ``equal`` map the curve's two longest planned
    lengths (shorter first) to their finished runs; None until every one of ``seeds`` runs per arm
    and length finished. Due when both mean box APs rose by more than ``threshold``."""
    if any(len(runs) < seeds for arm in (montage, equal) for runs in arm.values()):
        return None
    climbs = {}
    for name, arm in (('montage', montage), ('equal', equal)):
        short, long = (statistics.mean(r['bbox_mAP'] for r in arm[length]) for length in sorted(arm))
        climbs[name] = round(long - short, 4)
    return dict(due=all(c > threshold for c in climbs.values()), threshold=threshold,
                montage_climb=climbs['montage'], equal_climb=climbs['equal'],
                measured_from=sorted(r['key'] for arm in (montage, equal) for runs in arm.values() for r in runs))


def extra_epochs(calibration: Dict, epochs: int) -> int:
    """E for Montage + ``epochs``: the whole-epoch difference that gives random init the same compute.

    Zero or negative where a long schedule's cheaper Montage epochs (frozen stem and BN) outweigh the
    pre-training: random init then trains as long or shorter, never less than one epoch in all."""
    c = calibration
    extra = (c['pretrain_compute'] + epochs * (c['epoch_compute_montage'] - c['epoch_compute_scratch'])) \
        / c['epoch_compute_scratch']
    return max(1 - epochs, round(extra))


def equal_epochs(calibrations: Dict[str, Dict], fixed_extra: Optional[int], backbone: str,
                 epochs: int) -> Optional[int]:
    """L + E for Montage + ``epochs``: E fixed (``--quick``) or from the backbone's calibration; None
    before that calibration exists."""
    if fixed_extra is not None:
        return epochs + fixed_extra
    if backbone in calibrations:
        return epochs + extra_epochs(calibrations[backbone], epochs)
    return None


class Calibrations:
    """What the stored calibrations decided (``runs.json``'s ``calibration``: ``BACKBONE`` for equal
    compute, ``BACKBONE/direct``, ``BACKBONE/extension``), or the values ``--quick`` fixes."""

    def __init__(self, stored: Dict[str, Dict], fixed_extra: Optional[int] = None,
                 fixed_direct: Optional[int] = None, fixed_extension: Optional[bool] = None):
        self.stored, self.fixed_extra = stored, fixed_extra
        self.fixed_direct, self.fixed_extension = fixed_direct, fixed_extension

    def __call__(self, backbone: str, epochs: int) -> Optional[int]:
        return equal_epochs(self.stored, self.fixed_extra, backbone, epochs)

    def direct_epochs(self, backbone: str) -> Optional[int]:
        if self.fixed_direct is not None:
            return self.fixed_direct
        return self.stored.get(f'{backbone}/direct', {}).get('epochs')

    def extension_due(self, backbone: str) -> Optional[bool]:
        if self.fixed_extension is not None:
            return self.fixed_extension
        return self.stored.get(f'{backbone}/extension', {}).get('due')
