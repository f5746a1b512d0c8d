"""The study's markdown report and its figures, from the plan and the results so far.

:func:`write_report` assembles the sections: the plan fixed before the runs and the set-up
(:mod:`.report_plan`), the measured tables (:mod:`.report_tables`), then the code versions, what is
left out and how to read the verdicts (here). Only runs of the study's code hash are compared.
"""
import datetime
import json
import os
import os.path as osp
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set, Tuple

from mmjigsaw.evaluation.per_image_ap import ImageMatches
from mmjigsaw.utils import counted
from .budget import LATEST, estimate_hours
from .calibration import Calibrations
from .cells import Cell, DirectCell, ExtensionCell
from .claims import Comparison, Row, comparisons
from .plan import PARTS, StudyPlan
from .provenance import environment
from .report_plan import ORDINALS, changes, machine_of, machines_used, plan_section, setup
from .report_tables import ablations, claims_table, controls, curve, glance, initialisation, machine_check
from .results import Results
from .stats import PairedTest, image_bootstrap, paired_test, pairs, totals


@lru_cache(maxsize=64)
def _bootstrap(paths: Tuple[Tuple[str, str], ...], samples: int, seed: int) -> Tuple[float, float, float]:
    """The image bootstrap of matches saved at ``paths``, cached: the report is rewritten after
    every run, and a comparison's runs change only when one of them finished."""
    return image_bootstrap([(ImageMatches.load(a), ImageMatches.load(b)) for a, b in paths], samples, seed)


@dataclass
class Report:
    """What every section reads: the plan, the results, the parts asked for and where figures go."""
    plan: StudyPlan
    results: Results
    only: Sequence[str]
    doc_dir: str  # figures and runs.json: the report's path without '.md'
    root: str = '.'  # the repository, against which the first study's runs.json is read

    @property
    def rel(self) -> str:
        """The figures' folder as the report links it."""
        return osp.basename(self.doc_dir)

    @property
    def calibrated(self) -> Calibrations:
        p = self.plan
        return Calibrations(self.results.calibration, p.fixed_extra_epochs, p.fixed_direct_epochs, p.fixed_extension)

    @cached_property
    def first_study(self) -> Optional[dict]:
        """The first study's runs.json data (per-run times for the forecasts), None without one."""
        a = self.plan.analysis
        if not (a and a.first_study):
            return None
        with open(osp.join(self.root, a.first_study)) as f:
            return json.load(f)

    @cached_property
    def machine_check(self) -> Optional[Results]:
        """The method's runs done again on a later machine (tools/analysis_tools/machine_check.py), None
        without them."""
        path = machine_check_records(self.doc_dir)
        return Results(path) if osp.isfile(path) else None

    @property
    def rechecked(self) -> List[dict]:
        """The machine check's fine-tunings of cells the study recorded, by seed (none without a check)."""
        if self.machine_check is None:
            return []
        return sorted((run for run in self.machine_check.comparable.values()
                       if run['kind'] == 'finetune' and run['key'] in self.results.comparable),
                      key=lambda run: run['seed'])

    def label(self, backbone: str) -> str:
        return self.plan.backbones[backbone].label

    def totals(self, runs: Sequence[dict]) -> dict:
        return totals(runs, self.results.pretraining_of, self.plan.launcher.compute)

    def runs(self, row: Row) -> List[dict]:
        """The finished runs of a row at the study's code version (none before its length is known)."""
        return self.results.group(row.backbone, row.source, row.epochs) if row.epochs else []

    def diverged_seeds(self, row: Row) -> List[int]:
        """The seeds of a row whose fine-tuning diverged (:attr:`Results.diverged`)."""
        row_key = (row.backbone, row.source, row.epochs)
        return sorted(rec['seed'] for rec in self.results.diverged.values()
                      if (rec['backbone'], Cell.of(rec).source, rec['epochs']) == row_key)

    def test(self, c: Comparison) -> Optional[PairedTest]:
        a = self.plan.analysis
        alpha, effect = (a.alpha, a.smallest_effect) if a else (0.05, 0.01)
        return paired_test(self.runs(c.a), self.runs(c.b), alpha, effect, c.on_par)

    @cached_property
    def _planned_seeds(self) -> Dict[Tuple[str, str, int], Set[int]]:
        """(backbone, source, epochs) of each planned fine-tuning row -> its seeds."""
        seeds: Dict[Tuple[str, str, int], Set[int]] = {}
        for step in self.plan.steps(self.only):
            cell = step.run.resolve(self.calibrated)
            if cell is not None and cell.kind == 'finetune':
                seeds.setdefault((cell.backbone, cell.source, cell.epochs), set()).add(cell.seed)
        return seeds

    def planned_seeds(self, row: Row) -> Set[int]:
        """The seeds the plan runs ``row`` at, in the parts asked for and as decided so far (a length
        awaiting its calibration, or an extension not decided for, plans none yet)."""
        return self._planned_seeds.get((row.backbone, row.source, row.epochs), set())

    def planned_pairs(self, c: Comparison) -> int:
        """How many pairs the plan runs ``c`` over: the seeds both its rows are planned at."""
        return len(self.planned_seeds(c.a) & self.planned_seeds(c.b))

    def verdict(self, c: Comparison, planned_comparison: bool = True) -> str:
        """The paired test's line; a comparison short of its planned pairs gets its numbers but no
        verdict yet (the test is over the planned seeds, fixed before the runs), nor ever where one of
        them diverged (named), and one the plan does not make (``planned_comparison`` False) gets none at all."""
        planned = self.planned_pairs(c)
        test = self.test(c)
        diverged = '; '.join(f'{row.label}: seed {", ".join(map(str, seeds))} diverged'
                             for row in (c.a, c.b) for seeds in [self.diverged_seeds(row)] if seeds)
        short = f' ({diverged})' if diverged else ''
        if test is None:
            done = len(pairs(self.runs(c.a), self.runs(c.b)))
            return (f'{done} of {planned} planned pairs{short}: too few for a test' if done or diverged else
                    'not run' + (f' (0 of {planned} planned pairs)' if planned else ''))
        if diverged and test.n < planned:
            test = replace(test, verdict=f'{test.n} of {planned} planned pairs{short}: no verdict')
        elif not planned_comparison:
            test = replace(test, verdict='descriptive, no verdict: not a comparison of the plan')
        elif test.n < planned:
            test = replace(test, verdict=f'interim, {test.n} of {planned} planned pairs: no verdict before all ran')
        return str(test)

    def bootstrap(self, c: Comparison) -> str:
        """The image bootstrap line of a central comparison: mean over seeds of the paired AP
        difference on all val images and its 95% percentile interval over resampled images."""
        matched = pairs(self.runs(c.a), self.runs(c.b))
        paths = tuple((self.results.matches_path(a['key']), self.results.matches_path(b['key'])) for a, b in matched)
        if not paths:
            return 'not run'
        if not all(p and osp.isfile(p) for pair in paths for p in pair):
            return 'matches missing'
        a = self.plan.analysis
        diff, low, high = _bootstrap(paths, a.bootstrap_samples if a else 1000, a.bootstrap_seed if a else 0)
        return f'{diff:+.4f} [{low:+.4f}, {high:+.4f}] over val images, {counted(len(paths), "pair")}'


def machines(runs: Iterable[Dict]) -> str:
    """The machines the runs recorded, with their run counts when more than one; this report's own
    machine when no run recorded one."""
    counts = Counter(run['machine'] for run in runs if run.get('machine'))
    if not counts:
        return f'{environment()} (this report\'s; no run recorded one yet)'
    if len(counts) == 1:
        return next(iter(counts))
    return '; '.join(f'{machine} ({counted(n, "run")})' for machine, n in counts.most_common())


def finish_dates(runs: Iterable[Dict]) -> str:
    """The first and last finish time (UTC) the runs recorded."""
    dates = sorted(run['finished'] for run in runs if run.get('finished'))
    return f'{dates[0]} to {dates[-1]} (each run\'s in runs.json)' if dates else 'none yet'


def header(r: Report) -> List[str]:
    runs, current, measured = r.results.runs, r.results.comparable, r.results.measurements
    used = machines_used(measured)
    commands = '; '.join(f'`{c}`' for c in r.results.commands) or 'none yet'
    return ['# Reproduction of the paper\'s claims at small scale: the second study', '',
            '<!-- written by tools/analysis_tools/reproduce.py; rerun it to update -->', '',
            f'Commands that ran these runs: {commands}  ',
            f'Machine: {machines(measured)}'
            + (f'; {len(used)} machines of this kind (Set-up: Machines)' if len(used) > 1 else '') + '  ',
            f'Runs finished: {finish_dates(measured)}  ',
            f'Written: {datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")} UTC; study code '
            f'hash `{r.results.code_hash or "not set"}`; {counted(len(current), "run")} at it, '
            f'{r.results.wall_hours:.2f} h wall, the measurements under `again` included (without diverged runs '
            'and the machine check)'
            + (f' ({counted(len(runs), "run")} in all)' if len(runs) != len(current) else '') + '; '
            f'every run is in [{r.rel}/runs.json]({r.rel}/runs.json) (a pre-training run again keeps its first '
            'measurement and lists the later ones under `again`: Set-up), its per-image matches in '
            f'`{r.rel}/matches/`.', '']


def code_versions(r: Report) -> List[str]:
    current, stale = r.results.comparable, r.results.stale
    versions = {}
    for run in stale.values():
        versions.setdefault(run.get('code_hash', 'none recorded'), []).append(run['key'])
    lines = ['## Code versions', '',
             'Every run records the hash of the code and configs it ran at (`code_hash`: the package, the configs, '
             'the training and export tools and the requirements; not the docs, the study configs or the study\'s '
             'reporting; comments and docstrings do not change it), the hash of the sample store behind it '
             '(`store_hash`), the machine (`machine`) and when it finished (`finished`, UTC). The report compares '
             'only runs of the study\'s hash '
             f'`{r.results.code_hash or "not set"}` ({counted(len(current), "run")}); a run recorded at another hash '
             'counts as not run here, and running it at this hash replaces its record.', '']
    if not versions:
        return lines + ['Runs of other code hashes: none.', '']
    listed = [f'- `{code}` ({counted(len(keys), "run")}): ' + ', '.join(f'`{k}`' for k in sorted(keys))
              for code, keys in versions.items()]
    return lines + ['Runs of other code hashes, not compared:', ''] + listed + ['']


class MissingRuns(NamedTuple):
    """The planned runs without a record at the study's code version: ``keys`` in running order, and
    ``unlisted``, the direct pre-trainings whose length waits for the probe (each stands behind its
    fine-tuning's key)."""
    keys: List[str]
    unlisted: int


def missing_runs(r: Report) -> MissingRuns:
    """Keys of the planned runs without a record at the study's code version, each pre-training before
    its first fine-tuning: runs of fixed length first, then those awaiting a calibration (a direct
    pre-training's length is known only then, so it is listed by its fine-tuning and counted in
    ``unlisted``); an extension decided against is not planned."""
    missing, unlisted, calibrated = [], 0, r.calibrated
    for step in r.plan.steps(r.only):
        cell = step.run.resolve(calibrated)
        decided_against = isinstance(step.run, ExtensionCell) and calibrated.extension_due(step.run.backbone) is False
        if cell is None and decided_against:
            continue
        unlisted += cell is None and isinstance(step.run, DirectCell)
        pretraining = cell.pretraining if cell is not None else None
        if pretraining is not None and pretraining.key not in r.results.comparable:
            missing.append(pretraining)
        if cell is None or cell.key not in r.results.comparable:
            missing.append(step.run)
    diverged = r.results.diverged
    keys = list(dict.fromkeys(run.key for run in sorted(missing, key=lambda run: run.needs_calibration)
                              if run.key not in diverged))
    return MissingRuns(keys, unlisted)


def left_out(r: Report) -> List[str]:
    missing, unlisted = missing_runs(r)
    not_yet = (f'{counted(len(missing) + unlisted, "planned run")} (pre-trainings included) have not run yet'
               + (f', {len(missing)} listed here ({counted(unlisted, "direct pre-training")}, whose length waits for '
                  'the probe, each listed by its fine-tuning)' if unlisted else '')
               + ': ' + ', '.join(f'`{k}`' for k in missing))
    not_requested = ', '.join(p for p in PARTS if p not in r.only) or 'none'
    diverged_by_key = r.results.diverged
    if missing and r.first_study:
        done = dict(runs=r.results.comparable, calibration=r.results.calibration)
        now = (machines_used(r.results.measurements) or [0])[-1]
        here = [run for run in r.results.measurements if run.get('finished') and machine_of(run) == now]
        hours, extension, _ = estimate_hours(r.plan.steps(r.only), r.first_study, done, settled=diverged_by_key,
                                             here=here)
        not_yet += (f'. At the median wall time per pre-training and per fine-tuning epoch of this study\'s latest '
                    f'{LATEST} runs of each kind on the machine it runs on now (the {ORDINALS[now]}; an epoch of '
                    'random init at the pace of the runs there that train every layer, the controls included; '
                    'its other machines\' runs, then the first study\'s, where it has none of a kind), they take '
                    f'about {hours:.1f} h'
                    + (f', {extension:.1f} h more if the extension runs' if extension else '')
                    + ' (a forecast of the duration only, without pre-trainings that run again where a backbone is '
                    'gone).')
    diverged = [f"`{key}` ({rec['reason']}; {rec['finished']}, {rec['machine']}; its log: `{rec['log']}`)"
                for key, rec in diverged_by_key.items()]
    paragraphs = [not_yet if missing else
                  'Every planned run has run.' if diverged else 'Nothing: every planned run finished.']
    if diverged:
        paragraphs.append('Diverged, so without box AP, and not run again at this code hash (on the machine '
                          'where it diverged training is deterministic, so it would diverge again there): '
                          + '; '.join(diverged) + ' (mmengine counts iterations over the whole run, not per epoch). '
                          'A diverged detector detects nothing (its box AP would be 0); the tables leave it out, '
                          'and a comparison that misses one of its planned seeds gets no verdict.')
    return ['## Left out', '', '\n\n'.join(paragraphs), '',
            'Whatever has not run is listed here and shows as "not run" in the tables; nothing is estimated.', '',
            f'Parts not requested in this run: {not_requested}.', '']


def reading(r: Report) -> List[str]:
    a = r.plan.analysis
    alpha, effect = (a.alpha, a.smallest_effect) if a else (0.05, 0.01)
    planned = comparisons(r.plan, r.calibrated, r.only)
    return ['## Reading the verdicts', '',
            f'Each comparison is a paired t-test over the seeds both rows ran (a seed gives both arms the same data '
            f'order and the same initial weights in the parts they share): the mean difference of box AP, its '
            f'{1 - alpha:.0%} CI, the two-sided p and the number of pairs. "no effect of reportable size": the CI '
            f'lies within +-{effect:g}; "holds" / "reversed": p < {alpha:g} in the claimed / the opposite '
            f'direction ("on par or better" claims hold when the CI\'s lower end is above -{effect:g}); otherwise '
            '"not resolved". A comparison with fewer pairs than planned shows its numbers as "interim" and no '
            'verdict: the test is over the planned seeds, and a verdict read off the first seeds would be one look '
            f'too many. alpha is per comparison: the plan\'s {counted(len(planned), "comparison")} are not '
            f'corrected for multiplicity, so were every true difference zero, about {alpha * len(planned):.1f} of '
            'them would come out "holds" or "reversed" by chance; the central ones are the curve\'s equal-compute '
            'comparisons. Box AP is pycocotools\' AP@[.5:.95] at full precision from the saved detections (mmdet\'s '
            '3-decimal value is kept as `bbox_mAP_rounded`). The verdicts are computed, not chosen: the plan above '
            'was committed before any run, and no schedule or seed was tuned toward the paper\'s answer.', '']


def report_paths(doc: Optional[str], out: str, quick: bool, root: str) -> Tuple[str, str]:
    """The report's absolute path and the folder of its figures and records (the path without '.md'):
    ``doc``, else ROOT/docs/reproduction.md, or OUT/reproduction.md for a ``--quick`` study."""
    doc = osp.abspath(doc or osp.join(out if quick else osp.join(root, 'docs'), 'reproduction.md'))
    return doc, osp.splitext(doc)[0]


def study_records(doc_dir: str) -> str:
    """Where the study records its runs (reproduce.py) and the report reads them: runs.json."""
    return osp.join(doc_dir, 'runs.json')


def machine_check_records(doc_dir: str) -> str:
    """Where tools/analysis_tools/machine_check.py records its runs: beside the study's runs.json."""
    return osp.join(doc_dir, 'machine_check', 'runs.json')


def write_report(plan: StudyPlan, results: Results, only: Sequence[str], doc: str, root: str = '.') -> None:
    """Rewrite the markdown report ``doc`` and its figures (beside it, in ``doc`` without '.md');
    ``root``: the repository (the first study's runs.json is read from it)."""
    r = Report(plan, results, only, osp.splitext(doc)[0], root)
    os.makedirs(r.doc_dir, exist_ok=True)
    bars: list = []
    lines = header(r) + plan_section(r) + setup(r) + claims_table(r)
    lines += curve(r) if 'curve' in only and 'curve' in plan.parts else []
    lines += ablations(r, bars) + controls(r, bars)
    lines += initialisation(r, bars) if 'init' in only and 'init' in plan.parts else []
    lines += glance(r, bars) + machine_check(r) + changes(r) + code_versions(r) + left_out(r) + reading(r)
    with open(doc, 'w') as f:
        f.write('\n'.join(lines))
