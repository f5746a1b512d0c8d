"""The report's measured sections: the claims table, the curve, the ablations with the ERF hook's
scalars, the two controls, the initialisation rows and the figure of every row."""
import os.path as osp
import statistics
from typing import TYPE_CHECKING, Dict, List, Optional

from .claims import ABLATION_CLAIMS, Comparison, Row, comparisons
from .plan import ABLATIONS, INIT_LABELS
from .plots import Bar, plot_bars, plot_curve
from .report_plan import ORDINALS, machine_of, method_costs
from .results import ERF_SCALARS
from .stats import box_ap, mean_std, paired_test, whole

if TYPE_CHECKING:
    from .report import Report

ABLATION_TITLES = dict(heads='Labelling head and tau', context='Context of the positives', assembly='Montage assembly',
                       store='Sample store format')


def claims_table(r: 'Report') -> List[str]:
    rows = []
    for c in comparisons(r.plan, r.calibrated, r.only):
        rows.append(f'| {c.claim} | {c.a.label} vs {c.b.label} | {r.verdict(c)} |')
        if c.central:
            rows.append(f'| (the same, paired bootstrap over val images) | | {r.bootstrap(c)} |')
    return (['## The claims, measured here', '',
             '| claim | compared here | a - b: mean [95% CI], p, pairs: verdict |', '|---|---|---|'] + rows
            + ['', 'Not measured here: the paper\'s "about 1/4 of ImageNet pre-training\'s compute" (the ImageNet '
               'weights were trained elsewhere; this study counts only its own runs).', ''])


def _ap(runs: List[Dict]) -> str:
    return mean_std(box_ap(runs))


#: how far apart the two arms' measured totals may be before the curve says so (a fraction)
UNEVEN_COMPUTE = 0.1


def curve(r: 'Report') -> List[str]:
    part, unit = r.plan.parts['curve'], r.plan.launcher.unit
    b = part.backbone
    lines = ['## The compute curve (the paper\'s central claim)', '',
             f'{r.label(b)}: Montage pre-training + L epochs against random init at equal compute (and at the same '
             f'L, at {part.same_schedule_length} epochs). Paired tests in the claims table.', '',
             f'| fine-tuning L | Montage + L | random init, equal compute | random init, L | total {unit} (Montage, '
             f'median) | total {unit} (equal, median) |', '|---|---|---|---|---|---|']
    lengths = list(part.lengths) + ([part.extension] if part.extension else [])
    uneven = []
    for L in lengths:
        montage, equal_epochs = r.results.group(b, 'erf', L), r.calibrated(b, L)
        equal = r.results.group(b, 'scratch', equal_epochs) if equal_epochs else []
        same = _ap(r.results.group(b, 'scratch', L)) if L == part.same_schedule_length else 'not planned'
        name = f'{L} (extension, if due)' if L == part.extension else str(L)
        montage_total, equal_total = r.totals(montage)['compute'], r.totals(equal)['compute']
        lines.append(f'| {name} | {_ap(montage)} | {_ap(equal)}' + (f' ({equal_epochs} e)' if equal_epochs else '')
                     + f' | {same} | {whole(montage_total)} | {whole(equal_total)} |')
        if abs(equal_total / montage_total - 1) > UNEVEN_COMPUTE:  # False where either is NaN
            uneven.append(f'{L} e: {equal_total / montage_total - 1:+.0%}')
    if uneven:
        lines += ['', f'Measured totals more than {UNEVEN_COMPUTE:.0%} apart (random init against Montage, medians): '
                  + '; '.join(uneven) + '. E comes from the calibration (Set-up); a run on a slower machine or '
                  'beside other work costs more than it planned (Set-up: Machines). More compute for random init '
                  'favours it, less favours Montage.']
    if plot_curve(r.plan, r.results, osp.join(r.doc_dir, 'compute_curve.png')):
        lines += ['', f'![box AP against compute]({r.rel}/compute_curve.png)']
    return lines + ['']


def _erf(rec: Optional[Dict], name: str) -> str:
    value = rec.get(name) if rec else None
    return f'{value["first"]:.3f} -> {value["last"]:.3f}' if value else '-'


def _erf_by_seed(r: 'Report', runs: List[Dict], name: str) -> str:
    """One ERF scalar of a row's pre-trainings (first -> last refresh), seed by seed."""
    return '; '.join(_erf(r.results.pretraining_of(run), name) for run in runs)


def _erf_cells(r: 'Report', runs: List[Dict]) -> str:
    """The ERF scalars of a row's pre-trainings, a table cell each."""
    return ' | '.join(_erf_by_seed(r, runs, name) for name in ERF_SCALARS) if runs else 'not run | not run'


#: what the heads table's ERF scalars show, beyond its caption (the method's own numbers: docs/method.md §4)
HEADS_NOTE = ('tau 1.0 gives every position its own region\'s label with weight max(tau, share) = 1 (Eq. 2): '
              'hard labels per position through the dense head (`erf_own_weight` 1.000 at every refresh), where '
              'the block-wise head pools each region first and classifies the pooled feature. The first refresh '
              '(iteration 0) measures the randomly initialised backbone, whose gradient ERF covers only 36 to 121 '
              'pixels per position (measured on 2026-12-02 on the study\'s machine: the pre-training config\'s model '
              'built and init_weights() run under torch.manual_seed 0 and 1, then `compute_erf` on 4 random-normal '
              '224 px images and `erf_weight_table`): of ResNet-18\'s '
              '7 x 7 positions, 36 have all of it inside their own region (own weight 1) and 13 a share of 0.3-0.61 '
              '(own weight tau), so at tau 0.7 the first `erf_own_weight` is (36 + 13 x 0.7) / 49 = 0.920 for every '
              'seed; the seed moves the shares (`erf_own_share`), not which side of 0.7 they fall. The last refresh '
              'is the trained backbone\'s. Only pre-trainings with ERF weights record these scalars: the global '
              'and block-wise heads\' records hold none (shown "-"), direct pre-training\'s (a detector, no dense '
              'head) do not name them.')


def ablations(r: 'Report', bars: List[Bar]) -> List[str]:
    """One table per ablation part asked for, against the method over the part's seeds (those its pairs
    use); adds its rows' bars to ``bars``."""
    lines = []
    for name in ABLATIONS:
        if name not in r.only or name not in r.plan.parts:
            continue
        part = r.plan.parts[name]
        b, L = part.backbone, part.length
        lines += [f'## {ABLATION_TITLES[name]}', '',
                  f'{r.label(b)}, Montage pre-training variant + {L} epochs of fine-tuning, seeds {list(part.seeds)} '
                  f'(the method\'s row: its Montage + {L} runs of those seeds). ERF hook scalars of each '
                  'seed\'s pre-training, first -> last refresh (`erf_own_weight`: mean weight of a position\'s own '
                  'label; `erf_own_share`: mean share of its ERF inside its own region; "-": a head without ERF '
                  'weights, for which the hook measures nothing).', '',
                  '| variant | box AP | box AP50 | erf_own_weight | erf_own_share | the method - this (paired) |',
                  '|---|---|---|---|---|---|']
        for variant in part.variants:
            runs = [run for run in r.results.group(b, variant, L) if run['seed'] in part.seeds]
            label = r.plan.variants[variant].label
            against = Comparison(name, '', Row(b, 'erf', L, ''), Row(b, variant, L, ''))
            planned = any(part_name == name and (better, worse) == ('erf', variant)
                          for part_name, _, better, worse, _ in ABLATION_CLAIMS)
            test = '' if variant == 'erf' else r.verdict(against, planned)
            lines.append(f'| {label} | {_ap(runs)} | {mean_std([run["bbox_mAP_50"] for run in runs])} | '
                         f'{_erf_cells(r, runs)} | {test} |')
            if variant != 'erf' or name == 'heads':
                bars.append((label + (' - interim' if len(runs) < len(part.seeds) else ''), runs))
        lines += [''] + ([HEADS_NOTE, ''] if name == 'heads' else [])
    return lines


def controls(r: 'Report', bars: List[Bar]) -> List[str]:
    """The two controls' rows beside the method's, with their totals; paired tests in the claims table."""
    asked = [n for n in ('direct', 'unfrozen') if n in r.only and n in r.plan.parts]
    if not asked:
        return []
    part = r.plan.parts[asked[0]]
    b, L, unit = part.backbone, part.length, r.plan.launcher.unit
    rows = [(f'Montage + {L} e (the method)', r.results.group(b, 'erf', L))]
    rows += [(INIT_LABELS[r.plan.parts[n].init], r.results.group(b, r.plan.parts[n].init, L)) for n in asked]
    rows.append((INIT_LABELS['scratch'] + f' {L} e', r.results.group(b, 'scratch', L)))
    lines = ['## The controls', '', f'{r.label(b)}, {L} fine-tuning epochs. Paired tests in the claims table.', '',
             f'| row | box AP | box AP50 | total {unit} (median, pre-training included) | pre-training |',
             '|---|---|---|---|---|']
    for label, runs in rows:
        pre = sorted({run['pretrain'] for run in runs if run.get('pretrain')})
        lines.append(f'| {label} | {_ap(runs)} | {mean_std([run["bbox_mAP_50"] for run in runs])} | '
                     f'{whole(r.totals(runs)["compute"])} | {", ".join(f"`{p}`" for p in pre) or "-"} |')
        if label.startswith(('direct', 'Montage pre-trained, fine-tuned')):
            bars.append((f'control: {label}', runs))
    method, seeds = rows[0][1], sorted({run['seed'] for _, runs in rows[1:] for run in runs})
    paired = [run for run in method if run['seed'] in seeds]
    if seeds and len(paired) < len(method):
        lines += ['', f'The paired tests pair runs by seed: over the controls\' seeds '
                  f'({", ".join(map(str, seeds))}), the method\'s mean box AP is '
                  f'{statistics.mean(run["bbox_mAP"] for run in paired):.3f}.']
    direct = r.results.calibration.get(f'{b}/direct')
    if 'direct' in asked:
        lines += ['', 'Direct pre-training: ' + (
            f'D = {direct["epochs"]} epochs at 192 px, from the probe `{direct["probe"]}` '
            f'({direct["probe_compute"]:.0f} {unit}, not counted in any row).' if direct else 'D not measured yet.')
                  + _direct_cost(r, b, direct, r.results.group(b, 'direct', L))]
    return lines + ['']


def _direct_cost(r: 'Report', backbone: str, direct: Optional[Dict], finetunes: List[Dict]) -> str:
    """What the direct pre-trainings behind ``finetunes`` cost against P, the Montage pre-training's compute
    they stand for, and against the method's pre-trainings on their own machine."""
    runs = [r.results.pretraining_of(run) for run in finetunes] if direct else []
    runs = [run for run in runs if run]
    if not runs:
        return ''
    unit, costs = r.plan.launcher.unit, sorted(r.plan.launcher.compute(run) for run in runs)
    median, machine = statistics.median(costs), machine_of(runs[0])
    method = method_costs(r, 'pretrain', backbone)[machine]
    here = (f'; the method\'s pre-trainings cost {method:.0f} there, the {ORDINALS[machine]} machine '
            f'({median / method:.1f}x)') if method > 0 else ''
    return (f' Its {len(runs)} runs cost {costs[0]:.0f}-{costs[-1]:.0f} {unit} (median {median:.0f}) against '
            f'P = {direct["pretrain_compute"]:.0f} ({median / direct["pretrain_compute"]:.1f}x){here}: the direct '
            'arm had more pre-training compute than the plan meant (D came from the probe\'s g, which these runs '
            'exceeded).')


def initialisation(r: 'Report', bars: List[Bar]) -> List[str]:
    """The initialisation table; adds a bar per row to ``bars``. Paired tests in the claims table."""
    L = r.plan.parts['init'].length
    lines = ['## Initialisation', '', f'Fine-tuning L = {L} epochs. Paired tests in the claims table.', '',
             '| backbone | initialisation | box AP | box AP50 | fine-tune wall s (median) | '
             f'total {r.plan.launcher.unit} (median) | total images |', '|---|---|---|---|---|---|---|']
    for b in r.plan.parts['init'].backbones:
        equal_epochs = r.calibrated(b, L)
        rows = [(init, r.results.group(b, 'erf' if init == 'montage' else init, L))
                for init in ('montage', 'imagenet', 'scratch') if init in r.plan.backbones[b].finetune]
        rows.append(('scratch-equal', r.results.group(b, 'scratch', equal_epochs) if equal_epochs else []))
        for init, runs in rows:
            t = r.totals(runs)
            label = INIT_LABELS[init] + (f' ({equal_epochs} e)' if init == 'scratch-equal' and equal_epochs else '')
            finetune_seconds = statistics.median(run['seconds'] for run in runs) if runs else float('nan')
            lines.append(f'| {r.label(b)} | {label} | {_ap(runs)} | {mean_std([run["bbox_mAP_50"] for run in runs])} '
                         f'| {whole(finetune_seconds)} | {whole(t["compute"])} | {whole(t["images"])} |')
            bars.append((f'{r.label(b)}: {label}', runs))
    for b in r.plan.parts['init'].backbones:
        runs = r.results.group(b, 'erf', L)
        if runs:
            lines += ['', f'{r.label(b)}\'s Montage pre-trainings, first -> last ERF refresh, seed by seed: '
                      f'`erf_own_weight` {_erf_by_seed(r, runs, "erf_own_weight")}; `erf_own_share` '
                      f'{_erf_by_seed(r, runs, "erf_own_share")}.']
    return lines + ['']


def glance(r: 'Report', bars: List[Bar]) -> List[str]:
    if not plot_bars(bars, osp.join(r.doc_dir, 'ablations.png')):
        return []
    return ['## All rows at a glance', '', f'![box AP per row]({r.rel}/ablations.png)', '']


def machine_check(r: 'Report') -> List[str]:
    """The method's fine-tunings run again on a later machine (tools/analysis_tools/machine_check.py) beside
    the study's records of the same cells; nothing when the check has not run."""
    check = r.machine_check
    if check is None:
        return []
    recorded, again = r.results.comparable, r.rechecked
    lines = ['## Machine check', '',
             'Not part of the plan (descriptive, no verdict). The method\'s fine-tunings run again, each after its '
             'pre-training run again, on a later machine than the study\'s records of the same cells '
             '(`tools/analysis_tools/machine_check.py`, at the study\'s code hash; records in '
             f'[{r.rel}/machine_check/runs.json]({r.rel}/machine_check/runs.json)). Every ablation and control '
             'pairs a run of a later machine with such a record of the first, so a systematic difference here '
             'would shift each of those pairs alike (Set-up: Machines). On one machine a fine-tuning repeats bit '
             'for bit: seed 0\'s check, run once more on the third machine on 2026-12-02, gave 0.1568508799 box AP '
             'again to the last digit (that repeat is not in the records, which keep one run per cell), so the '
             'differences below are the machines\' rounding, not noise of a run.',
             '',
             '| run | recorded: machine, box AP | again: machine, box AP | again - recorded | pre-training\'s '
             '`erf_own_weight` / `erf_own_share` at the last refresh: recorded; again |', '|---|---|---|---|---|']
    for run in again:
        rec = recorded[run['key']]
        erf = '; '.join(' / '.join(f'{pre[name]["last"]:.3f}' if pre and pre.get(name) else '-'
                                   for name in ERF_SCALARS)
                        for pre in (r.results.pretraining_of(rec), check.pretraining_of(run)))
        lines.append(f'| `{run["key"]}` | {ORDINALS[machine_of(rec)]}, {rec["bbox_mAP"]:.4f} | '
                     f'{ORDINALS[machine_of(run)]}, {run["bbox_mAP"]:.4f} | {run["bbox_mAP"] - rec["bbox_mAP"]:+.4f} '
                     f'| {erf} |')
    test = paired_test(again, [recorded[run['key']] for run in again])
    if test:
        lines += ['', f'Again - recorded over {test.n} seeds: {test.diff:+.4f} box AP [{test.low:+.4f}, '
                  f'{test.high:+.4f}] (95% CI, paired t), p = {test.p:.2g}.']
    return lines + ['']
