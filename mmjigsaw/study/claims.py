"""The comparisons the study makes, fixed by the plan before the runs: each a claim (the paper's, or
the question a control asks) tied to two rows compared pair by pair over seeds."""
from dataclasses import dataclass
from typing import List, Optional, Sequence

from .cells import Calibrated
from .plan import ABLATIONS, StudyPlan

#: (part, the claim, the better variant, the worse one, on par) of the ablations.
ABLATION_CLAIMS = (('heads', 'ERF-adaptive labels beat block-wise labels', 'erf', 'blockwise', False),
                   ('heads', 'block-wise labels beat one global label', 'blockwise', 'global', False),
                   ('heads', 'tau 0.7 beats tau 0.5', 'erf', 'tau0.5', False),
                   ('heads', 'tau 0.7 beats tau 1.0', 'erf', 'tau1.0', False),
                   ('context', 'random context around the positives beats the bare box', 'erf', 'bare', False),
                   ('assembly', 'pad & crop beats warping each sample to its region', 'erf', 'warp', False),
                   ('store', 'a JPEG q90 store costs no box AP against raw samples (this toolkit\'s default, not '
                    'the paper\'s claim)', 'erf', 'raw', True))


@dataclass(frozen=True)
class Row:
    """A row of runs: ``source`` a Montage variant or an initialisation; ``epochs`` None while its
    length awaits a calibration."""
    backbone: str
    source: str
    epochs: Optional[int]
    label: str


@dataclass(frozen=True)
class Comparison:
    """Row ``a`` against row ``b``, paired by seed; ``central``: the study's main question (the image
    bootstrap is added); ``on_par``: the claim is "a is on par with b or better"."""
    part: str
    claim: str
    a: Row
    b: Row
    central: bool = False
    on_par: bool = False


def _curve(plan: StudyPlan, calibrated: Calibrated) -> List[Comparison]:
    part = plan.parts['curve']
    b, rows = part.backbone, []
    lengths = list(part.lengths) + ([part.extension] if part.extension else [])
    for L in lengths:
        equal = calibrated(b, L)
        rows.append(Comparison(
            'curve', 'Pre-training pays for itself: Montage + L beats random init given the same total compute',
            Row(b, 'erf', L, f'Montage + {L} e'),
            Row(b, 'scratch', equal, f'random init {equal} e (equal compute)' if equal else
                'random init, equal compute (not calibrated yet)'), central=True))
    L = part.same_schedule_length
    rows.append(Comparison('curve', 'Montage pre-training beats random init at the same fine-tuning schedule',
                           Row(b, 'erf', L, f'Montage + {L} e'), Row(b, 'scratch', L, f'random init {L} e')))
    return rows


def _ablations(plan: StudyPlan, only: Sequence[str]) -> List[Comparison]:
    rows = []
    for name, claim, better, worse, on_par in ABLATION_CLAIMS:
        if name in only and name in plan.parts and {better, worse} <= set(plan.parts[name].variants):
            part = plan.parts[name]
            rows.append(Comparison(name, claim, Row(part.backbone, better, part.length, plan.variants[better].label),
                                   Row(part.backbone, worse, part.length, plan.variants[worse].label), on_par=on_par))
    return rows


def _controls(plan: StudyPlan, only: Sequence[str]) -> List[Comparison]:
    rows = []
    if 'direct' in only and 'direct' in plan.parts:
        part = plan.parts['direct']
        b, L = part.backbone, part.length
        rows.append(Comparison('direct', 'Montage pre-training beats direct detection pre-training at equal total '
                               'compute (arXiv 2106.03112 expects it not to)', Row(b, 'erf', L, f'Montage + {L} e'),
                               Row(b, 'direct', L, f'direct pre-training + {L} e')))
    if 'unfrozen' in only and 'unfrozen' in plan.parts:
        part = plan.parts['unfrozen']
        b, L = part.backbone, part.length
        unfrozen = Row(b, 'montage-unfrozen', L, f'Montage, unfrozen + {L} e')
        rows.append(Comparison('unfrozen', 'The Montage weights beat random init with the same switches (nothing '
                               'frozen, BN in train mode)', unfrozen, Row(b, 'scratch', L, f'random init {L} e')))
        rows.append(Comparison('unfrozen', 'The paper\'s fine-tuning recipe (frozen stem and BN) beats fine-tuning '
                               'the Montage backbone unfrozen', Row(b, 'erf', L, f'Montage + {L} e'), unfrozen))
    return rows


def _init(plan: StudyPlan, calibrated: Calibrated) -> List[Comparison]:
    part, rows = plan.parts['init'], []
    L = part.length
    for b in part.backbones:
        label = plan.backbones[b].label
        montage, equal = Row(b, 'erf', L, f'{label}: Montage + {L} e'), calibrated(b, L)
        rows.append(Comparison('init', 'Pre-training pays for itself (MobileNetV2)', montage,
                               Row(b, 'scratch', equal, f'random init {equal} e (equal compute)' if equal else
                                   'random init, equal compute (not calibrated yet)')))
        rows.append(Comparison('init', 'Montage pre-training beats random init (same fine-tuning)', montage,
                               Row(b, 'scratch', L, f'random init {L} e')))
        if 'imagenet' in plan.backbones[b].finetune:
            rows.append(Comparison('init', 'Montage pre-training is on par with ImageNet pre-training (or better)',
                                   montage, Row(b, 'imagenet', L, f'ImageNet + {L} e'), on_par=True))
    return rows


def comparisons(plan: StudyPlan, calibrated: Calibrated, only: Sequence[str]) -> List[Comparison]:
    """Every comparison of the parts in ``only`` that the plan defines, in the report's order."""
    rows = _curve(plan, calibrated) if 'curve' in only and 'curve' in plan.parts else []
    rows += _ablations(plan, [p for p in only if p in ABLATIONS])
    rows += _controls(plan, only)
    return rows + (_init(plan, calibrated) if 'init' in only and 'init' in plan.parts else [])
