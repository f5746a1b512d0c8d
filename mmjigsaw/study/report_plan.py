"""The report's sections written from the plan, fixed before the runs: the plan with its power
estimate, the set-up with the calibrations, and what changed since the first study."""
import bisect
import os.path as osp
import statistics
from typing import TYPE_CHECKING, Dict, Iterable, List

from mmjigsaw.utils import counted
from .budget import estimate_hours
from .claims import comparisons
from .plan import ABLATIONS, INIT_LABELS, PARTS, estimate_of
from .power import PowerEstimate, detectable_effect, paired_power, plan_estimates, pooled_sd
from .results import ERF_SCALARS
from .stats import pairs

if TYPE_CHECKING:
    from .report import Report


def _part_rows(r: 'Report') -> List[str]:
    plan, rows = r.plan, []
    for name in PARTS:
        if name not in plan.parts or name not in r.only:
            continue
        part = plan.parts[name]
        if name == 'curve':
            what = (f'{r.label(part.backbone)}: Montage + L against random init at equal compute; random init at the '
                    f'same schedule at {part.same_schedule_length} e (seeds {list(part.same_schedule_seeds)})')
            length = ', '.join(map(str, part.lengths)) + (
                f' (+ {part.extension} if both arms climb by more than {part.extension_threshold:g} from '
                f'{part.lengths[-2]} to {part.lengths[-1]})' if part.extension else '')
        elif name in ABLATIONS:
            what = f'{r.label(part.backbone)}: ' + ', '.join(f'`{v}`' for v in part.variants)
            length = str(part.length)
        elif name == 'init':
            what = ', '.join(r.label(b) for b in part.backbones) + ': ' + ', '.join(
                INIT_LABELS[i] for i in ('montage', 'imagenet', 'scratch', 'scratch-equal'))
            length = str(part.length)
        else:
            what = f'{r.label(part.backbone)}: {INIT_LABELS[part.init]}' + (
                f' (probe: {part.probe_epochs} epochs)' if part.probe_epochs else '')
            length = str(part.length)
        rows.append(f'| `{name}` | {what} | {length} | {list(part.seeds)} |')
    return rows


def _power_rows(r: 'Report', estimates: List[PowerEstimate]) -> List[str]:
    a = r.plan.analysis
    rows = []
    for e in estimates:
        parts = ', '.join(p for p in PARTS if p in r.plan.parts and estimate_of(p) == e.name)
        pairs = '; '.join(f'{x} - {y}' for x, y in a.power_from[e.name])
        rows.append(f'| {e.name} ({parts}) | {pairs} | {e.sd:.4f} | {e.df} | {e.needed} | {e.chosen} | '
                    f'{e.power_at_chosen:.2f} | {e.detectable_at_chosen:.3f} |')
    return rows


def plan_section(r: 'Report') -> List[str]:
    plan, a = r.plan, r.plan.analysis
    lines = ['## The plan, fixed before the runs', '',
             f'Generated from `{plan.path}`; committed with an empty runs.json before any run of this study.', '',
             '| part | rows | fine-tuning length (epochs) | seeds |', '|---|---|---|---|'] + _part_rows(r)
    steps = plan.steps(r.only)
    if r.first_study:
        hours, extension, runs = estimate_hours(steps, r.first_study)
        lines += ['', f'Running order: the parts as listed (the curve, the ablations, the controls, MobileNetV2), seed '
                  f'by seed within each; the curve\'s calibrating length first; its extension after every other part. '
                  f'{counted(runs, "run")} planned (pre-trainings included); from the first study\'s per-run '
                  f'times about {hours:.0f} h of wall time on its 2 CPU cores, {extension:.0f} h more if the '
                  'extension runs (a forecast of the duration only). `--budget-minutes` stops starting runs; what '
                  'has not run is listed as not run, never estimated.']
    lines += ['', '### Comparisons', '', 'The random-init lengths at equal compute are filled in from the calibration '
              'once it is measured (Set-up): the plan fixed the rule, not the number.', '']
    lines += [f'{i}. {c.claim}: {c.a.label} vs {c.b.label} ({c.part})' + (
        ' - central: the image bootstrap too' if c.central else '') + ('; "on par or better"' if c.on_par else '')
        for i, c in enumerate(comparisons(plan, r.calibrated, r.only), 1)]
    if a:
        lines += ['', '### The test', '',
                  f'- A paired t-test over seeds for every comparison: the same seed gives both arms the same data '
                  f'order and augmentation (`randomness.seed`) and the same initial weights in every part both arms '
                  f'initialise (the detector\'s neck and heads, a pre-training\'s backbone: `PartwiseInitHook` seeds '
                  f'each part by name; the direct control\'s detector starts whole from its pre-training), so each '
                  f'seed is a pair; two-sided, '
                  f'alpha = {a.alpha:g}; the mean difference with its {1 - a.alpha:.0%} CI and p.',
                  f'- The smallest effect worth reporting: {a.smallest_effect:g} box AP. A difference whose '
                  f'{1 - a.alpha:.0%} CI lies within +-{a.smallest_effect:g} is reported as "no effect of reportable '
                  'size".',
                  '- Box AP at full precision: every fine-tuning saves its val detections, pycocotools matches them '
                  'image by image, and AP@[.5:.95] is accumulated from the matches (equal to pycocotools\' stats[0], '
                  'unrounded); the matches are kept for every run.',
                  f'- A second line under the central comparisons: a paired bootstrap over the val images '
                  f'({a.bootstrap_samples} resamples, seed {a.bootstrap_seed}, one draw for every run), the mean '
                  'over seeds of the paired difference with its 95% percentile interval.',
                  '', '### Seeds: the power estimate', ''] + _power_lines(r)
    return lines + ['', '### Choices', ''] + [f'- {c}' for c in (a.choices if a else ())] + ['']


def _power_lines(r: 'Report') -> List[str]:
    a = r.plan.analysis
    if not a.first_study:
        return ['No earlier study to estimate the seeds\' power from.']
    estimates = plan_estimates(a, r.root)
    return [f'From the first study ([{a.first_study}]({osp.relpath(a.first_study, "docs")})): the standard '
            'deviation over seeds of the paired differences of the rows below (pooled), and the paired '
            f't-test\'s power for a true difference of {a.smallest_effect:g} at alpha {a.alpha:g}. Seeds: what '
            f'the estimate needs for power {a.target_power:g}, at least {a.min_seeds}, at most what the budget '
            'allows.', '',
            '| estimate (parts) | first-study pairs | seed SD of the differences | df | seeds needed | seeds '
            f'chosen | power at {a.smallest_effect:g} with them | effect detected with power '
            f'{a.target_power:g} |', '|---|---|---|---|---|---|---|---|'] + _power_rows(r, estimates) \
        + _realised_power(r, estimates)


def _realised_power(r: 'Report', estimates: List[PowerEstimate]) -> List[str]:
    """The same estimate from this study's comparisons that have all their planned pairs: a check of the
    plan's estimate, which nothing here changes."""
    a, rows, complete = r.plan.analysis, [], []
    for c in comparisons(r.plan, r.calibrated, r.only):
        matched = pairs(r.runs(c.a), r.runs(c.b))
        if len(matched) >= max(r.planned_pairs(c), 2):
            complete.append((c, [x['bbox_mAP'] - y['bbox_mAP'] for x, y in matched]))
    for e in estimates:
        done = [(c, d) for c, d in complete if estimate_of(c.part) == e.name]
        if done:
            sd, df = pooled_sd([d for _, d in done])
            names = '; '.join(f'{c.a.label} - {c.b.label}' for c, _ in done)
            rows.append(f'| {e.name} | {names} | {sd:.4f} | {df} | {e.chosen} | '
                        f'{paired_power(e.chosen, sd, a.smallest_effect, a.alpha):.2f} | '
                        f'{detectable_effect(e.chosen, sd, a.alpha, a.target_power):.3f} |')
    if not rows:
        return []
    return ['', 'Measured in this study so far, from the comparisons with all their planned pairs (a check of the '
            'estimate above; the seeds stay as planned):', '',
            '| estimate | this study\'s pairs | seed SD of the differences | df | seeds | power at '
            f'{a.smallest_effect:g} | effect detected with power {a.target_power:g} |', '|---|---|---|---|---|---|---|',
            *rows]


def _calibrations(r: 'Report') -> str:
    notes = []
    for name, c in r.results.calibration.items():
        if name.endswith('/direct'):
            notes.append(f'{name}: D = {c["epochs"]} epochs (P = {c["pretrain_compute"]:.0f} {c["unit"]}, g = '
                         f'{c["epoch_compute_direct"]:.0f} per 192 px epoch, probe `{c["probe"]}` cost '
                         f'{c["probe_compute"]:.0f})')
        elif name.endswith('/extension'):
            notes.append(f'{name}: {"runs" if c["due"] else "not run"} (Montage climbed {c["montage_climb"]:+.4f}, '
                         f'equal compute {c["equal_climb"]:+.4f}; threshold {c["threshold"]:g})')
        else:
            notes.append(f'{name}: P = {c["pretrain_compute"]:.1f} {c["unit"]}, f_m = {c["epoch_compute_montage"]:.1f}'
                         f', f_s = {c["epoch_compute_scratch"]:.1f} (from {counted(len(c["measured_from"]), "run")})')
    plan = r.plan
    fixed_values = (('E', plan.fixed_extra_epochs), ('D', plan.fixed_direct_epochs),
                    ('the extension', plan.fixed_extension))
    fixed = [f'{what} fixed by --quick' for what, value in fixed_values if value is not None]
    return '; '.join(notes + fixed) or 'not measured yet'


def _runs_again(r: 'Report') -> str:
    """'': or one clause per pre-training run again, from the ``again`` lists of the records: when, and its
    ERF scalars at the last refresh beside the first measurement's."""
    clauses = []
    for rec in sorted(r.results.comparable.values(), key=lambda rec: rec['key']):
        for again in rec.get('again', []):
            scalars = [(again[name]['last'], rec[name]['last']) for name in ERF_SCALARS
                       if again.get(name) and rec.get(name)]
            clause = f'`{rec["key"]}` on {again["finished"]}'
            if scalars:
                first = ('equal to the first measurement to the last bit' if all(a == f for a, f in scalars)
                         else 'first: ' + ' / '.join(f'{f:.3f}' for _, f in scalars))
                clause += ', ending at ' + ' / '.join(f'{a:.3f}' for a, _ in scalars) + f' ({first})'
            clauses.append(clause)
    return ': ' + '; '.join(clauses) if clauses else ''


def setup(r: 'Report') -> List[str]:
    plan, data = r.plan, r.plan.data
    pre_runs = [run for run in r.results.comparable.values() if run['kind'] == 'pretrain' and not run['epochs']]
    pretrain_note = (f'{pre_runs[0]["iterations"]} iterations x {pre_runs[0]["batch"]} montages'
                     if pre_runs else 'the configs\' schedule')
    return ['## Set-up', '',
            f'- Data: `{data.root}`'
            + (f' (the demo dataset, {data.demo.num_train} training and {data.demo.num_val} '
               f'validation images, seed {data.demo.seed})' if data.demo else '')
            + f'; box AP is COCO mAP@[.5:.95] on `{data.val.ann}` after the last epoch, at full precision.',
            f'- Pre-training: the backbone\'s Montage config ({pretrain_note} per run); variants: '
            + '; '.join(f'`{k}` {v.label}' for k, v in plan.variants.items()) + '. Stores: '
            + '; '.join(f'`{k}` context {s.context:g}, {s.format}' for k, s in plan.stores.items()) + '.',
            f'- Fine-tuning: the detector configs named in `{plan.path}`; L epochs, lr x0.1 at '
            f'{", ".join(f"{f:g}" for f in plan.lr_steps)} of the run; a Montage backbone is fine-tuned the paper\'s '
            'way (frozen stem and BN), a random one with everything training and BN in train mode. The detectors\' '
            'anchors fit the demo\'s boxes (two scales from 16 px, h/w ratios 1/4-4; the same for every arm).',
            '- Compute: ' + ('GPU seconds (wall x GPUs)' if plan.launcher.unit == 'GPU s' else
                             'CPU seconds of every process of a run (data workers included; other work on the '
                             'machine inflates them far less than wall seconds)')
            + ' and images processed (montages in pre-training, detection images in fine-tuning); wall seconds '
            'are in the tables too, and every run records the machine\'s load average in runs.json.',
            '- Equal compute: random init fine-tunes L + E epochs against Montage + L, with E = round((P + L f_m - '
            'L f_s) / f_s), P the pre-training\'s compute and f_m, f_s one fine-tuning epoch\'s from a Montage and a '
            'random backbone (medians over the runs finished when they were measured, named under `calibration` in '
            'runs.json; the random one trains every layer, so its epoch costs more). E '
            'can be zero or negative at long schedules, where the Montage arm\'s cheaper epochs outweigh P: '
            f'equal compute, not at least one extra epoch. Calibrations: {_calibrations(r)}.',
            '- Pre-trainings run again: an exported backbone lives in the work folder (`--out`), which a new machine '
            'does not have, so a fine-tuning whose pre-training\'s backbone is gone first runs that pre-training '
            'again (same config, seed and store; the record keeps its first measurement and lists the later ones '
            f'under `again`{_runs_again(r)}; a fine-tuning names the measurement its backbone came from in '
            '`pretrain_again`, 0 for the first, and the report reads its pre-training\'s cost and ERF scalars from '
            'that one; the runs again told below predate both and are not in runs.json). Training here is not bitwise '
            'reproducible across machines at a fixed seed: the store and the first ERF refresh come out the same, '
            'the end does not. On 2026-12-01 (a new machine) the pre-trainings of seeds 1 and 2 ran again for their '
            '24-epoch Montage runs and ended at `erf_own_weight` / `erf_own_share` 0.859 / 0.799 (seed 1; recorded '
            '0.866 / 0.807) and 0.864 / 0.802 (seed 2; recorded 0.863 / 0.806); on the same machine later that day, '
            'those of seeds 3 and 4 ran again for theirs and ended at 0.859 / 0.794 (seed 3; recorded '
            '0.858 / 0.791) and 0.867 / 0.807 (seed 4; recorded 0.869 / 0.810): a drift like the spread between '
            'seeds (0.858-0.869 / 0.791-0.810). Those seeds\' 24-epoch Montage runs started from another draw of '
            'their pre-training than their 6- and 12-epoch runs; the curve pairs runs of one length by seed, so '
            'it is not affected. On one machine training is reproducible: seed 1\'s pre-training run a third time '
            'there gave its second run\'s backbone bit for bit (all 120 tensors). On 2026-12-02 (a third machine) '
            'the pre-trainings of seeds 0-2 ran again for the unfrozen control and ended at their recorded values, '
            'which the first machine measured, to the last bit (`erf_own_weight` / `erf_own_share` at the last '
            'refresh 0.865 / 0.801, 0.866 / 0.807 and 0.863 / 0.806; the first refresh\'s too): the third machine '
            'computes these pre-trainings as the first did, the second did not. On 2026-12-03 (the third machine) '
            'those of seeds 3 and 4 ran again for their 48-epoch Montage runs and ended at their recorded values to '
            'the last bit too (0.858 / 0.791 and 0.869 / 0.810): every 48-epoch Montage run started from a '
            'pre-training that matches, in these scalars, the first one of its seed, that of its 6- and 12-epoch '
            'runs.',
            _machines(r), _conventions(r), '']


#: the first run each of the study's later machines finished (UTC); runs before the first of these ran on
#: its first machine. runs.json names only the kind of machine, the same for all of them.
MACHINE_CHANGES = ('2026-12-01 09:29 UTC', '2026-12-02 12:31 UTC')
ORDINALS = ('first', 'second', 'third', 'fourth', 'fifth', 'sixth')


def machine_of(run: Dict) -> int:
    """Which of the study's machines (0: the first) ``run`` finished on, by its finish time."""
    return bisect.bisect_right(MACHINE_CHANGES, run.get('finished', ''))


def machines_used(runs: Iterable[Dict]) -> List[int]:
    """The study's machines the finished ``runs`` ran on, in order (the last: the one it runs on now)."""
    return sorted({machine_of(run) for run in runs if run.get('finished')})


def method_costs(r: 'Report', kind: str, backbone: str) -> List[float]:
    """Median compute of the method's runs of ``kind`` of ``backbone`` (per fine-tuning epoch; per
    pre-training; each measurement, runs again included), the machine check's included, on each of the
    study's machines: like for like, as
    variants and initialisations differ in cost. NaN for a machine without such a run."""
    costs = [[] for _ in range(len(MACHINE_CHANGES) + 1)]
    checked = r.machine_check.comparable.values() if r.machine_check else []
    for run in [*r.results.measurements, *checked]:
        method = run['variant'] == 'erf' and run['init'] in ('montage', '')
        if run['kind'] == kind and run['backbone'] == backbone and method and run.get('finished'):
            costs[machine_of(run)].append(r.plan.launcher.compute(run) / (run['epochs'] or 1))
    return [statistics.median(c) if c else float('nan') for c in costs]


def _machines(r: 'Report') -> str:
    runs = [run for run in r.results.measurements if run.get('finished')]
    used = machines_used(runs)
    if len(used) < 2:
        return '- Machines: runs.json\'s `machine` names the kind of machine each run ran on.'
    last_on_first = max((run['finished'] for run in runs if machine_of(run) == 0), default='')
    spans = [f'the {ORDINALS[i]} ' + (f'from {MACHINE_CHANGES[i - 1]}' if i else f'up to {last_on_first}')
             for i in used]
    paces, backbone = [], r.plan.parts['curve'].backbone
    for kind, what in (('finetune', 'per fine-tuning epoch'), ('pretrain', 'per pre-training')):
        costs = method_costs(r, kind, backbone)
        paces.append(f'{what} ' + ', '.join(
            f'{costs[i]:.0f} on the {ORDINALS[i]}' + (f' ({costs[i] / costs[0]:.1f}x)' if i and costs[0] > 0 else '')
            for i in used if costs[i] > 0))
    finetunes = [run for run in runs if run['kind'] == 'finetune']
    kinds = (('the ablation variants', lambda run: run['init'] == 'montage' and run['variant'] != 'erf'),
             ('the controls', lambda run: run['init'] in ('montage-unfrozen', 'direct')))
    where = {what: ' and '.join(ORDINALS[i] for i in sorted({machine_of(run) for run in finetunes if ran(run)}))
             for what, ran in kinds}
    ran_on = '; '.join(f'{what} ran on the {machines}' for what, machines in where.items() if machines)
    paired = (f'So far {ran_on}, each paired with the method\'s Montage + 12 e of the first (the unfrozen control '
              'from pre-trainings run again where a backbone is gone). ') if ran_on else ''
    checked = sorted({machine_of(run) for run in r.rechecked})
    unchecked = [ORDINALS[i] for i in used if i and i not in checked]
    tested = ('which the Machine check section below tests on the ' + ' and '.join(ORDINALS[i] for i in checked)
              + (f', not on the {" and ".join(unchecked)}' if unchecked else '') if checked else
              'this study does not test')
    return ('- Machines: runs.json\'s `machine` names the kind of machine, the same for every run so far; the runs '
            f'ran on {len(used)} machines of that kind, by when they finished: ' + ', '.join(spans) + '. Median '
            f'{r.plan.launcher.unit} of the method\'s {r.plan.backbones[backbone].label} runs (the machine check\'s '
            'included: variants and initialisations differ in cost), with its ratio to the first\'s: '
            + '; '.join(paces) + '. So the 24-epoch rows\' compute totals mix machines (E was measured on the '
            'first; see the note under the curve). '
            + paired + 'That the machines differ in rounding and speed, not in what they compute, is an '
            f'assumption {tested}: rounding adds to the pairs\' noise, which the paired test counts like any other '
            'spread between seeds; a systematic difference between the machines would shift every such pair alike, '
            'which the paired test cannot see.')


def _conventions(r: 'Report') -> str:
    return ('- Tables: box AP is a fraction (0-1; 0.01 is one AP point of the paper\'s percentages); "a +- s (n=k)" '
            'is the mean, the standard deviation over seeds and the number of seeds; box AP50 is mmdet\'s value, '
            'rounded to 3 decimals; a comparison\'s "n" is its pairs (seeds both rows ran).')


def _mean_ap(runs: Dict[str, Dict], key_prefix: str) -> float:
    values = [run['bbox_mAP'] for key, run in runs.items() if key.startswith(key_prefix + '_seed')]
    return statistics.mean(values) if values else float('nan')


def _first_study_ap(r: 'Report') -> str:
    """The first study's 12-epoch box AP beside this one's (the curve's backbone), as a sentence; '' where
    either has none."""
    if not (r.first_study and 'curve' in r.plan.parts):
        return ''
    b, L = r.plan.parts['curve'].backbone, r.plan.parts['curve'].same_schedule_length
    rows = [(f'Montage + {L} e', f'finetune_{b}_erf_{L}e'), (f'random init {L} e', f'finetune_{b}_scratch_{L}e')]
    values = [(label, _mean_ap(r.first_study['runs'], prefix), _mean_ap(r.results.comparable, prefix))
              for label, prefix in rows]
    if not all(then > 0 and here > 0 for _, then, here in values):  # NaN: a row not run
        return ''
    return (f'Mean box AP of its {L}-epoch runs against this study\'s: '
            + ', '.join(f'{label} {then:.3f} there, {here:.3f} here' for label, then, here in values)
            + '. The anchors are the one change to the demo detector configs between the two studies, but the '
            'code changed too and no run isolates their effect; no result here is compared with a first-study run.')


def changes(r: 'Report') -> List[str]:
    return ['## What changed since the first study and why', '',
            'The first study (2026-11-28/29, 72 runs) is archived in '
            f'[{r.rel}/first_study/]({r.rel}/first_study/runs.json) with its two figures. It was superseded because:',
            '',
            '- **Anchors.** Its detectors used mmdet\'s default anchors: 95% of the demo\'s boxes had an anchor at '
            'IoU 0.3 (the rest never an RPN positive) and 27% one at 0.7; the demo detectors\' anchors now fit the '
            'boxes (100% and 68%; `tools/analysis_tools/anchor_coverage.py`). ' + _first_study_ap(r),
            '- **One code version.** Its 72 runs came from 11 commits, and three changes to the method\'s code landed '
            'between the method\'s arm and the ablation variants (the same cell gave 0.027 and 0.031 before them and '
            '0.019 after: as large as every ablation effect). Every run now records a code hash; only runs of one '
            'hash are compared.',
            '- **Paired tests at full precision.** Its verdict (difference of means beyond 2 Welch standard errors) '
            'calls a null effect "holds" or "reversed" 12-30% of the time with 2-3 seeds (each 6-15%), and AP '
            'rounded to 3 decimals gave two rows a standard deviation of exactly 0. Now a paired t-test over seeds '
            'with a stated alpha and smallest effect, AP unrounded from pycocotools, per-image matches kept for a '
            'bootstrap over images.',
            '- **The curve to 24 epochs** (48 if both arms still climb): every first-study run stopped while AP still '
            'climbed steeply (at most 14 epochs), short of the regime the paper\'s claim is about.',
            '- **Ablations at 12 epochs, 3 seeds** (2 seeds at 4 epochs before, where pre-training itself gained '
            'about 0.025), with the ERF hook\'s scalars recorded so one can tell whether the labels were adaptive; '
            'and the store format (raw vs JPEG q90) as a new ablation.',
            '- **Two controls** a sceptic asks for: direct detection pre-training at equal compute, and the Montage '
            'backbone fine-tuned unfrozen.', '',
            'A first attempt at this plan ran 26 runs at code hash `b33842f6d3925daf` (2026-11-30, finished '
            '13:02-18:17 UTC) '
            'and was stopped when a reading of the code found that a seed did not give the two arms of a comparison '
            'the same neck and head initialisation, as the plan said it did: mmengine initialises the parts of a '
            'detector from one random stream, and a random backbone draws from it before the neck and heads, a '
            'pre-trained one does not (their random weights differed in every pair of arms). `PartwiseInitHook` (in '
            'the runtime configs) now seeds each part by its name, and the study restarted from its first run at a '
            'new hash. Its first attempt\'s runs, matches and report are archived in '
            f'[{r.rel}/stopped_b33842f6d3925daf/]({r.rel}/stopped_b33842f6d3925daf/reproduction.md) and compared '
            'with nothing here; for the record, its 12-epoch equal-compute pairs (5 seeds) gave Montage + 12 ahead '
            'of random init by +0.048 box AP [+0.019, +0.076], p = 0.010. A second start, at hash '
            '`eaf469c4d8f93862` (6 runs, finished 22:30-23:31 UTC), was stopped when a review found the hook '
            'initialising the detector in `tools/test.py` too (a missing backbone file then failed the test) and '
            'a part whose `init_weights` does not mark itself initialised initialised twice; its runs.json is '
            f'archived in [{r.rel}/stopped_eaf469c4d8f93862/]({r.rel}/stopped_eaf469c4d8f93862/runs.json).', '']
