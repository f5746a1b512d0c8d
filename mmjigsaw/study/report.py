"""The study's markdown report and its figures, one function per section, from the results so far."""
import datetime
import os
import os.path as osp
import statistics
from dataclasses import dataclass
from functools import partial
from typing import List, Sequence

from .calibration import equal_epochs
from .cells import EqualEpochs
from .claims import claims
from .plan import ABLATIONS, INIT_LABELS, PARTS, StudyPlan
from .plots import Bar, plot_bars, plot_curve
from .provenance import environment
from .results import Results
from .stats import box_ap, compare, mean_std, totals, whole

ABLATION_TITLES = dict(heads='Labelling head and tau', context='Context of the positives', assembly='Montage assembly')


@dataclass
class Report:
    """What every section reads: the plan, the results, the parts asked for and where figures go."""
    plan: StudyPlan
    results: Results
    only: Sequence[str]
    doc_dir: str  # figures and runs.json: the report's path without '.md'

    @property
    def rel(self) -> str:
        """The figures' folder as the report links it."""
        return osp.basename(self.doc_dir)

    @property
    def equal_epochs(self) -> EqualEpochs:
        return partial(equal_epochs, self.results.calibration, self.plan.fixed_extra_epochs)

    def label(self, backbone: str) -> str:
        return self.plan.backbones[backbone].label

    def totals(self, runs: Sequence[dict]) -> dict:
        return totals(runs, self.results.pretraining_of, self.plan.launcher.compute)


def header(r: Report) -> List[str]:
    runs = r.results.runs
    return ['# Reproduction of the paper\'s claims at small scale', '',
            '<!-- written by tools/analysis_tools/reproduce.py; rerun it to update -->', '',
            'Commands that ran these runs: ' + '; '.join(f'`{c}`' for c in r.results.commands) + '  ',
            f'Machine: {environment()}  ',
            f'Written: {datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}; wall time of all runs so far: '
            f'{sum(run["seconds"] for run in runs.values()) / 3600:.2f} h ({len(runs)} runs); '
            f'every run is in [{r.rel}/runs.json]({r.rel}/runs.json).', '']


def setup(r: Report) -> List[str]:
    plan, data = r.plan, r.plan.data
    pre_runs = [run for run in r.results.runs.values() if run['kind'] == 'pretrain']
    pretrain_note = (f'{pre_runs[0]["iterations"]} iterations x {pre_runs[0]["batch"]} montages'
                     if pre_runs else 'the configs\' schedule')
    calibrations = '; '.join(
        f'{b}: P = {c["pretrain_compute"]:.0f} {c["unit"]}, f_m = {c["epoch_compute_montage"]:.0f}, '
        f'f_s = {c["epoch_compute_scratch"]:.0f} (from {len(c["measured_from"])} runs)'
        for b, c in r.results.calibration.items())
    fixed = plan.fixed_extra_epochs is not None
    return ['## Set-up', '',
            f'- Data: `{data.root}`'
            + (f' (the demo dataset, {data.demo.num_train} training and {data.demo.num_val} '
               f'validation images, seed {data.demo.seed})' if data.demo else '')
            + f'; box AP is COCO mAP@[.5:.95] on `{data.val.ann}` after the last epoch.',
            f'- Pre-training: the backbone\'s Montage config ({pretrain_note} per run); variants: '
            + '; '.join(f'`{k}` {v.label}' for k, v in plan.variants.items()) + '.',
            f'- Fine-tuning: the detector configs named in `{plan.path}`; L epochs, lr x0.1 at '
            f'{", ".join(f"{f:g}" for f in plan.lr_steps)} of the run; a Montage backbone is fine-tuned the paper\'s '
            'way (frozen stem and BN), a random one with everything training and BN in train mode.',
            '- Seeds: ' + '; '.join(f'{p} {list(plan.parts[p].seeds)}' for p in PARTS if p in r.only) + '.',
            '- Compute: ' + ('GPU seconds (wall x GPUs)' if plan.launcher.unit == 'GPU s' else
                             'CPU seconds of every process of a run (data workers included; other work on the '
                             'machine inflates them far less than wall seconds)')
            + ' and images processed (montages in pre-training, detection images in fine-tuning); wall seconds '
            'are in the tables too, and every run records the machine\'s load average in runs.json.',
            '- Equal compute: random init fine-tunes L + E epochs against Montage + L, with E = round((P + L f_m - '
            'L f_s) / f_s), P the pre-training\'s compute and f_m, f_s one fine-tuning epoch\'s from a Montage and '
            'a random backbone (medians over seeds; the random one trains every layer, so its epoch costs more): '
            + (calibrations or ('E fixed by --quick' if fixed else 'not measured yet')) + '.', '']


def claims_table(r: Report) -> List[str]:
    rows = claims(r.plan, r.results, r.only, r.equal_epochs)
    return (['## The paper\'s claims, measured here', '',
             '| the paper\'s claim | compared here | box AP difference +- SE: verdict |', '|---|---|---|']
            + [f'| {claim} | {what} | {result} |' for claim, what, result in rows]
            + ['', 'Not measured here: the paper\'s "about 1/4 of ImageNet pre-training\'s compute" (the ImageNet '
               'weights were trained elsewhere; this study counts only its own runs).', ''])


def curve(r: Report) -> List[str]:
    b, unit, results = r.plan.parts['curve'].backbone, r.plan.launcher.unit, r.results
    lines = ['## The compute curve (the paper\'s central claim)', '',
             f'{r.label(b)}: Montage pre-training + L epochs against random init at the same L and at equal compute.',
             '', f'| fine-tuning L | Montage + L | random init, L | random init, equal compute | '
             f'total {unit} (Montage, median) | total {unit} (equal, median) | Montage - equal compute |',
             '|---|---|---|---|---|---|---|']
    for epochs in r.plan.parts['curve'].lengths:
        montage, scratch = results.group(b, 'erf', epochs), results.group(b, 'scratch', epochs)
        equal_epochs = r.equal_epochs(b, epochs)
        equal = results.group(b, 'scratch', equal_epochs) if equal_epochs else []
        lines.append(f'| {epochs} | {mean_std(box_ap(montage))} | {mean_std(box_ap(scratch))} | '
                     f'{mean_std(box_ap(equal))}' + (f' ({equal_epochs} e)' if equal_epochs else '')
                     + f' | {whole(r.totals(montage)["compute"])} | {whole(r.totals(equal)["compute"])} | '
                     f'{compare(montage, equal)} |')
    if plot_curve(r.plan, results, osp.join(r.doc_dir, 'compute_curve.png')):
        lines += ['', f'![box AP against compute]({r.rel}/compute_curve.png)']
    return lines + ['']


def initialisation(r: Report, bars: List[Bar]) -> List[str]:
    """The initialisation table and its comparisons; adds a bar per row to ``bars``."""
    epochs = r.plan.parts['init'].length
    lines = ['## Initialisation', '', f'Fine-tuning L = {epochs} epochs.', '',
             '| backbone | initialisation | box AP | box AP50 | fine-tune wall s (median) | '
             f'total {r.plan.launcher.unit} (median) | total images |', '|---|---|---|---|---|---|---|']
    notes = []
    for b in r.plan.parts['init'].backbones:
        equal_epochs = r.equal_epochs(b, epochs)
        rows = [(init, r.results.group(b, 'erf' if init == 'montage' else init, epochs))
                for init in r.plan.backbones[b].finetune]
        rows.append(('scratch-equal', r.results.group(b, 'scratch', equal_epochs) if equal_epochs else []))
        for init, runs in rows:
            t = r.totals(runs)
            label = INIT_LABELS[init] + (f' ({equal_epochs} e)' if init == 'scratch-equal' and equal_epochs else '')
            finetune_seconds = statistics.median(run['seconds'] for run in runs) if runs else float('nan')
            lines.append(f'| {r.label(b)} | {label} | {mean_std(box_ap(runs))} | '
                         f'{mean_std([run["bbox_mAP_50"] for run in runs])} | {whole(finetune_seconds)} | '
                         f'{whole(t["compute"])} | {whole(t["images"])} |')
            bars.append((f'{r.label(b)}: {label}', runs))
        named = dict(rows)
        notes.append(f'- {r.label(b)}, Montage - random init (same L): {compare(named["montage"], named["scratch"])}; '
                     f'Montage - random init at equal compute: {compare(named["montage"], named["scratch-equal"])}'
                     + (f'; Montage - ImageNet: {compare(named["montage"], named["imagenet"])}'
                        if 'imagenet' in named else ''))
    return lines + [''] + notes + ['']


def ablation(r: Report, name: str, bars: List[Bar]) -> List[str]:
    """One ablation's table against the method; adds its variants' bars to ``bars``."""
    part = r.plan.parts[name]
    b, epochs = part.backbone, part.length
    lines = [f'## {ABLATION_TITLES[name]}', '', f'{r.label(b)}, Montage pre-training variant + {epochs} epochs '
             'of fine-tuning.', '', '| variant | box AP | box AP50 | against the method |', '|---|---|---|---|']
    method = r.results.group(b, 'erf', epochs)
    for variant in part.variants:
        runs = r.results.group(b, variant, epochs)
        label = r.plan.variants[variant].label
        lines.append(f'| {label} | {mean_std(box_ap(runs))} | {mean_std([run["bbox_mAP_50"] for run in runs])} | '
                     + ('' if variant == 'erf' else f'method - this: {compare(method, runs)}') + ' |')
        if variant != 'erf' or name == 'heads':
            bars.append((label, runs))
    return lines + ['']


def glance(r: Report, bars: Sequence[Bar]) -> List[str]:
    if not plot_bars(bars, osp.join(r.doc_dir, 'ablations.png')):
        return []
    return ['## All rows at a glance', '', f'![box AP per row]({r.rel}/ablations.png)', '']


def code_versions(r: Report) -> List[str]:
    versions = {}
    for run in r.results.runs.values():
        versions.setdefault(run.get('code', 'unknown'), []).append(run['key'])
    return (['## Code versions', '',
             'Each run records the commit it ran at (`+changes`: with uncommitted changes to the code or '
             'configs). A pre-training whose exported backbone is gone (a new machine) runs again with the same '
             'seed when a fine-tuning needs it, and keeps its first record; the fine-tuning records its own '
             'commit.', '']
            + [f'- `{code}` ({len(keys)} runs): ' + ', '.join(f'`{k}`' for k in keys)
               for code, keys in versions.items()])


def missing_runs(r: Report) -> List[str]:
    """Keys of the planned runs without a record: runs of fixed length first, then the equal-compute ones."""
    missing = []
    for step in r.plan.steps(r.only):
        cell = step.run.resolve(r.equal_epochs)
        if cell is None or cell.key not in r.results.runs:
            missing.append(step.run)
    return [run.key for run in sorted(missing, key=lambda run: run.needs_calibration)]


def left_out(r: Report) -> List[str]:
    missing = missing_runs(r)
    not_yet = f'{len(missing)} planned runs have not run yet: ' + ', '.join(f'`{k}`' for k in missing)
    not_requested = ', '.join(p for p in PARTS if p not in r.only) or 'none'
    return ['', '## Left out', '', not_yet if missing else 'Nothing: every planned run finished.',
            '', f'Parts not requested in this run: {not_requested}.', '']


def reading() -> List[str]:
    return ['## Reading the verdicts', '',
            '"holds" means the difference of mean box AP exceeds twice its standard error over the seeds; '
            '"reversed" the same the other way; otherwise the seeds cannot tell. With 2-3 seeds the standard '
            'errors are themselves rough. The verdicts are computed, not chosen: no schedule or seed was tuned '
            'toward the paper\'s answer.', '']


def write_report(plan: StudyPlan, results: Results, only: Sequence[str], doc: str) -> None:
    """Rewrite the markdown report ``doc`` and its figures (beside it, in ``doc`` without '.md')."""
    r = Report(plan, results, only, osp.splitext(doc)[0])
    os.makedirs(r.doc_dir, exist_ok=True)
    bars: List[Bar] = []
    lines = header(r) + setup(r) + claims_table(r)
    lines += curve(r) if 'curve' in only else []
    lines += initialisation(r, bars) if 'init' in only else []
    for name in ABLATIONS:
        lines += ablation(r, name, bars) if name in only else []
    lines += glance(r, bars) + code_versions(r) + left_out(r) + reading()
    with open(doc, 'w') as f:
        f.write('\n'.join(lines))
