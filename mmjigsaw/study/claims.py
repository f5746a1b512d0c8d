"""The paper's claims, each tied to the comparison of two rows of the study that tests it."""
from typing import List, Sequence, Tuple

from .cells import EqualEpochs
from .plan import StudyPlan
from .results import Results
from .stats import compare

#: (part, the paper's claim, the better variant, the worse one) of the ablations.
ABLATION_CLAIMS = (('heads', 'ERF-adaptive labels beat block-wise labels', 'erf', 'blockwise'),
                   ('heads', 'block-wise labels beat one global label', 'blockwise', 'global'),
                   ('heads', 'tau 0.7 beats tau 0.5', 'erf', 'tau0.5'),
                   ('heads', 'tau 0.7 beats tau 1.0', 'erf', 'tau1.0'),
                   ('context', 'random context around the positives beats the bare box', 'erf', 'bare'),
                   ('assembly', 'pad & crop beats warping each sample to its region', 'erf', 'warp'))

#: (the paper's claim, what is compared here, difference +- SE and verdict)
Claim = Tuple[str, str, str]


def curve_claims(plan: StudyPlan, results: Results, equal_epochs: EqualEpochs) -> List[Claim]:
    b = plan.parts['curve'].backbone
    rows = []
    for epochs in plan.parts['curve'].lengths:
        equal = equal_epochs(b, epochs)
        rows.append(('Pre-training pays for itself: pre-training + fine-tuning beats random init given the same '
                     'total compute', f'{plan.backbones[b].label}: Montage + {epochs} e vs random init '
                     + (f'{equal} e' if equal else '(equal compute not measured yet)'),
                     compare(results.group(b, 'erf', epochs), results.group(b, 'scratch', equal) if equal else [])))
    return rows


def init_claims(plan: StudyPlan, results: Results) -> List[Claim]:
    part, rows = plan.parts['init'], []
    for b in part.backbones:
        montage, where = results.group(b, 'erf', part.length), f'{plan.backbones[b].label}, {part.length} e'
        rows.append(('Montage pre-training beats random init (same fine-tuning)', where,
                     compare(montage, results.group(b, 'scratch', part.length))))
        if 'imagenet' in plan.backbones[b].finetune:
            rows.append(('Montage pre-training is on par with ImageNet pre-training (or better)', where,
                         compare(montage, results.group(b, 'imagenet', part.length), on_par=True)))
    return rows


def ablation_claims(plan: StudyPlan, results: Results, only: Sequence[str]) -> List[Claim]:
    rows = []
    for name, claim, better, worse in ABLATION_CLAIMS:
        if name in only and {better, worse} <= set(plan.parts[name].variants):
            part = plan.parts[name]
            rows.append((claim, f'{plan.backbones[part.backbone].label}, {part.length} e',
                         compare(results.group(part.backbone, better, part.length),
                                 results.group(part.backbone, worse, part.length))))
    return rows


def claims(plan: StudyPlan, results: Results, only: Sequence[str], equal_epochs: EqualEpochs) -> List[Claim]:
    """Every claim that the parts in ``only`` test, in the report's order."""
    rows = curve_claims(plan, results, equal_epochs) if 'curve' in only else []
    rows += init_claims(plan, results) if 'init' in only else []
    return rows + ablation_claims(plan, results, only)
