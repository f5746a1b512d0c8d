"""A seeded reproduction of the paper's claims: the compute curve, initialisations and ablations.

    python tools/analysis_tools/reproduce.py configs/reproduce/reproduce_demo.py --out work_dirs/reproduce
        [--only curve,init,heads,context,assembly] [--quick] [--budget-minutes M] [--doc docs/reproduction.md]

Every cell of the study is one training run (`tools/train.py`, or `tools/dist_train.sh` for several
GPUs) of a config named in the study config, with one seed:

- pre-training: the backbone's Montage pre-training config (a variant for the ablations), then
  its backbone exported with tools/model_converters/extract_backbone.py;
- fine-tuning: a detector config, from that backbone ('montage'), ImageNet weights ('imagenet') or
  random initialisation ('scratch'), for a number of epochs with the lr steps of the study config.

Compute is counted in CPU seconds on CPUs (every process of a run, data workers included: other
work on the machine inflates them far less than wall seconds; each run also records the load
average) and in GPU seconds (wall x GPUs) with the dist launcher, and in images processed; wall
seconds are reported too. Equal compute: a scratch run at "equal compute" with a Montage run of L
epochs fine-tunes for L + E epochs, E = round(compute of the pre-training run / compute of one
fine-tuning epoch), measured in the study's first seed and kept in the results (--quick fixes E).

Running order: the curve's shortest length and the initialisation rows first, then the curve's
longer lengths, then the ablations, seed by seed within each, so a study cut short holds the
paper's central comparisons first.

Every finished run is added to DOC_DIR/runs.json at once (DOC_DIR: the --doc path without ".md"),
so a rerun skips finished cells, and a run that was cut short starts again. At the end (and after
every run) the report is rewritten: --doc (tables against the paper's claims, mean +- std over
seeds, what was left out), DOC_DIR/compute_curve.png and DOC_DIR/ablations.png. --budget-minutes
stops starting new runs after that many minutes; the report then lists the missing cells.
"""
import argparse
import datetime
import json
import math
import os
import os.path as osp
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import Dict, List, Optional, Sequence

from mmengine.config import Config

from mmjigsaw.datasets import make_demo_dataset
from mmjigsaw.utils import (REPO_ROOT, ConfigError, Timing, ToolFailed, atomic_write_json, last_logged, run_cli,
                            run_tool, training_seconds)

PARTS = ('curve', 'init', 'heads', 'context', 'assembly')
INIT_LABELS = {'montage': 'Montage pre-trained', 'imagenet': 'ImageNet pre-trained', 'scratch': 'random init',
               'scratch-equal': 'random init, equal compute'}


@dataclass(frozen=True)
class Cell:
    """One training run of the study.

    Attributes:
        kind: 'pretrain' or 'finetune'.
        backbone: a key of the study's ``backbones``.
        variant: the pre-training variant behind a Montage backbone ('' for ImageNet and scratch).
        init: fine-tuning: 'montage', 'imagenet' or 'scratch' ('' for pre-training).
        epochs: fine-tuning length (0 for pre-training).
        seed: seed of the run (weights, data order, montages).
    """
    kind: str
    backbone: str
    variant: str
    init: str
    epochs: int
    seed: int

    @property
    def key(self) -> str:
        if self.kind == 'pretrain':
            return f'pretrain_{self.backbone}_{self.variant}_seed{self.seed}'
        source = self.variant if self.init == 'montage' else self.init
        return f'finetune_{self.backbone}_{source}_{self.epochs}e_seed{self.seed}'


def code_version() -> str:
    """The repository's commit, with '+changes' when the code or configs differ from it: a run
    is comparable with the study's other runs only when this matches theirs."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=True).stdout.strip()
        changes = subprocess.run(['git', 'status', '--porcelain', '--', 'mmjigsaw', 'configs', 'tools'],
                                 cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return commit + ('+changes' if changes else '')


def lr_milestones(epochs: int, steps: Sequence[float]) -> List[int]:
    """Epochs at which the lr steps: ``round(f * epochs)`` for each fraction, inside (0, epochs)."""
    return sorted({round(f * epochs) for f in steps} & set(range(1, epochs)))


def cfg_options(options: Dict) -> List[str]:
    """``--cfg-options`` arguments for a dict of dotted keys."""
    return [f'{key}={json.dumps(value) if isinstance(value, (list, dict)) else value}'
            for key, value in options.items()]


class Study:
    """The cells of a study config, how to run them, and what they gave."""

    def __init__(self, cfg: Config, study_path: str, out: str, doc: str, quick: bool, command: str):
        """``out`` and ``doc`` are absolute; the study config's paths are relative to the repository;
        ``command`` is how the study was started (for the report)."""
        self.cfg, self.study_path, self.out, self.doc, self.quick = cfg, study_path, out, doc, quick
        self.command = command
        self.doc_dir = osp.splitext(doc)[0]
        self.results_file = osp.join(self.doc_dir, 'runs.json')
        self.results = dict(runs={}, calibration={})
        if osp.isfile(self.results_file):
            with open(self.results_file) as f:
                self.results = json.load(f)
        self.data = cfg.quick.data if quick else cfg.data
        self.data_root = osp.join(REPO_ROOT, self.data['root'])
        self.started = time.time()

    # ---- data ----------------------------------------------------------------------------
    def split(self, name: str, what: str) -> str:
        """Absolute path of a split's annotation file (``what='ann'``) or image folder (``'img'``)."""
        return osp.join(self.data_root, self.data[name][what])

    def prepare_data(self) -> None:
        """Render the demo data once (when the study config asks for it) and count the training images."""
        demo = self.data.get('demo')
        if demo and not osp.isfile(self.split('val', 'ann')):
            print(f'[reproduce] rendering the demo data into {self.data["root"]}', flush=True)
            shutil.rmtree(self.data_root, ignore_errors=True)
            make_demo_dataset(self.data_root, demo['num_train'], demo['num_val'], demo['seed'])
        with open(self.split('train', 'ann')) as f:
            coco = json.load(f)
        self.num_train_images = len({a['image_id'] for a in coco['annotations']})  # mmdet skips empty images

    def store(self, name: str) -> str:
        """The sample store ``name`` of the study config, extracted from the training split on first use."""
        path = osp.join(self.data_root, f'store_train_{name}')
        if not osp.isfile(osp.join(path, 'meta.json')):
            run_tool(('tools/extract_samples.py', '--ann', self.split('train', 'ann'),
                      '--img-dir', self.split('train', 'img'), '--out', path,
                      '--workers', str(self.data['extract_workers']),
                      '--context', str(self.cfg.stores[name]['context'])),
                     log=osp.join(self.out, 'logs', f'store_{name}.log'))
        return path

    # ---- the plan ------------------------------------------------------------------------
    def seeds(self, part: Dict) -> List[int]:
        return list(self.cfg.quick.seeds if self.quick else part['seeds'])

    def lengths(self, part: Dict) -> List[int]:
        return list(self.cfg.quick.lengths if self.quick else part['lengths'])

    def length(self, part: Dict) -> int:
        return self.cfg.quick.length if self.quick else part['length']

    def plan(self, only: Sequence[str]) -> List[tuple]:
        """(part, Cell or ('scratch-equal', backbone, epochs, seed)) in running order: the curve's
        shortest length, then the initialisation rows, then the curve's longer lengths, then the
        ablations; seed by seed within each."""
        parts = self.cfg.parts
        curve = []
        if 'curve' in only:
            part = parts['curve']
            for epochs in self.lengths(part):
                curve.append([])
                for seed in self.seeds(part):
                    curve[-1] += [('curve', Cell('finetune', part['backbone'], 'erf', 'montage', epochs, seed)),
                                  ('curve', Cell('finetune', part['backbone'], '', 'scratch', epochs, seed)),
                                  ('curve', ('scratch-equal', part['backbone'], epochs, seed))]
        cells = curve[0] if curve else []
        if 'init' in only:
            part, epochs = parts['init'], self.length(parts['init'])
            for seed in self.seeds(part):
                for backbone in part['backbones']:
                    inits = self.cfg.backbones[backbone]['finetune']
                    cells += [('init', Cell('finetune', backbone, 'erf' if init == 'montage' else '', init, epochs,
                                            seed))
                              for init in inits]
                    cells.append(('init', ('scratch-equal', backbone, epochs, seed)))
        cells += [cell for length in curve[1:] for cell in length]
        for name in ('heads', 'context', 'assembly'):
            if name in only:
                part = parts[name]
                cells += [(name, Cell('finetune', part['backbone'], variant, 'montage', self.length(part), seed))
                          for seed in self.seeds(part) for variant in part['variants']]
        return cells

    # ---- running -------------------------------------------------------------------------
    def launch(self, config: str, work_dir: str, options: Dict, log: str) -> Timing:
        args = ['--work-dir', work_dir, '--cfg-options', *cfg_options(options)]
        launcher = self.cfg.launcher
        if launcher['type'] == 'dist':
            return run_tool((config, str(launcher['gpus']), *args), log=log, launcher=('bash', 'tools/dist_train.sh'))
        return run_tool(('tools/train.py', config, *args), log=log)

    def world_size(self) -> int:
        return self.cfg.launcher.get('gpus', 1) if self.cfg.launcher['type'] == 'dist' else 1

    @property
    def compute_unit(self) -> str:
        return 'GPU s' if self.cfg.launcher['type'] == 'dist' else 'CPU s'

    def compute(self, rec: Dict) -> float:
        """A run's compute: GPU seconds (wall x GPUs) with the dist launcher, else CPU seconds."""
        return rec['seconds'] * self.world_size() if self.cfg.launcher['type'] == 'dist' else rec['cpu_seconds']

    def record(self, cell: Cell, **values) -> Dict:
        rec = dict(asdict(cell), key=cell.key, code=code_version(), **values)
        self.results['runs'][cell.key] = rec
        atomic_write_json(self.results, self.results_file)
        return rec

    def done(self, cell: Cell) -> Optional[Dict]:
        return self.results['runs'].get(cell.key)

    def pretrain(self, backbone: str, variant: str, seed: int) -> Dict:
        """The Montage pre-training of ``backbone`` (one variant, one seed) and its exported backbone."""
        cell = Cell('pretrain', backbone, variant, '', 0, seed)
        work_dir = osp.join(self.out, cell.key)
        exported = osp.join(work_dir, 'backbone.pth')
        rec = self.done(cell)
        if rec and osp.isfile(exported):
            return rec
        spec = self.cfg.variants[variant]
        config = spec.get('pretrain', self.cfg.backbones[backbone]['pretrain'])
        options = {'train_dataloader.dataset.store': self.store(spec.get('store', 'context')),
                   'randomness.seed': seed, 'train_dataloader.dataset.seed': seed, **spec.get('options', {}),
                   **(self.cfg.quick.pretrain_options if self.quick else {})}
        shutil.rmtree(work_dir, ignore_errors=True)
        print(f'[reproduce] {cell.key}', flush=True)
        timing = self.launch(config, work_dir, options, osp.join(work_dir, 'train.log'))
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
        run_tool(('tools/model_converters/extract_backbone.py', checkpoint, exported),
                 log=osp.join(work_dir, 'export.log'))
        for name in os.listdir(work_dir):
            if name.endswith('.pth') and name != 'backbone.pth':
                os.remove(osp.join(work_dir, name))
        resolved = Config.fromfile(osp.join(REPO_ROOT, config))
        resolved.merge_from_dict(options)
        iters = resolved.train_cfg.max_iters
        batch = resolved.train_dataloader.batch_size * self.world_size()
        if rec:  # the backbone file was gone: the same run again, its first measurement kept
            return rec
        return self.record(cell, seconds=round(timing.wall, 1), cpu_seconds=round(timing.cpu, 1),
                           load=round(timing.load, 2), images=iters * batch, iterations=iters, batch=batch,
                           train_seconds=round(training_seconds(work_dir, iters), 1), config=config)

    def imagenet_weights(self, backbone: str) -> str:
        """The backbone's ImageNet weights in mmdet's key names (converted once)."""
        arch = self.cfg.backbones[backbone]['imagenet']
        path = osp.join(self.out, f'{backbone}_imagenet.pth')
        if not osp.isfile(path):
            run_tool(('tools/model_converters/torchvision2mmdet.py', '--arch', arch, '--imagenet', path),
                     log=osp.join(self.out, 'logs', f'{backbone}_imagenet.log'))
        return path

    def epoch_compute(self, rec: Dict) -> float:
        """Compute of one fine-tuning epoch of a run: its compute less the share of its wall time
        spent outside training iterations (start-up, evaluation), over its epochs."""
        return self.compute(rec) * min(1.0, rec['train_seconds'] / rec['seconds']) / rec['epochs']

    def extra_epochs(self, backbone: str, part: str, epochs: int) -> int:
        """E for Montage + ``epochs``: the extra epochs that give random init the same total compute,
        E = round((P + L f_montage - L f_scratch) / f_scratch), with P the pre-training's compute and f
        one epoch's (a randomly initialised backbone trains every layer, so its epoch costs more).

        P and f are medians over the seeds finished when first needed (the first seed of ``part``,
        at the part's shortest length); ``--recalibrate`` measures them again over every seed."""
        if self.quick:
            return self.cfg.quick.extra_epochs
        calibration = self.results['calibration'].get(backbone)
        if calibration is None:
            spec = self.cfg.parts[part]
            length = min(self.lengths(spec)) if 'lengths' in spec else self.length(spec)
            seed = self.seeds(spec)[0]
            montage = self.finetune(Cell('finetune', backbone, 'erf', 'montage', length, seed))
            scratch = self.finetune(Cell('finetune', backbone, '', 'scratch', length, seed))
            pre = self.done(Cell('pretrain', backbone, 'erf', '', 0, seed)) or self.pretrain(backbone, 'erf', seed)
            runs = self.results['runs'].values()
            same = [r for r in runs if r['backbone'] == backbone and r['epochs'] in (0, length)]
            pre = [r for r in same if r['kind'] == 'pretrain' and r['variant'] == 'erf'] or [pre]
            montage = [r for r in same if r['kind'] == 'finetune' and r['init'] == 'montage'
                       and r['variant'] == 'erf'] or [montage]
            scratch = [r for r in same if r['kind'] == 'finetune' and r['init'] == 'scratch'] or [scratch]
            calibration = dict(
                unit=self.compute_unit, pretrain_compute=round(statistics.median(map(self.compute, pre)), 1),
                epoch_compute_montage=round(statistics.median(map(self.epoch_compute, montage)), 1),
                epoch_compute_scratch=round(statistics.median(map(self.epoch_compute, scratch)), 1),
                measured_from=sorted(r['key'] for r in pre + montage + scratch))
            self.results['calibration'][backbone] = calibration
            atomic_write_json(self.results, self.results_file)
        c = calibration
        extra = (c['pretrain_compute'] + epochs * (c['epoch_compute_montage'] - c['epoch_compute_scratch'])) \
            / c['epoch_compute_scratch']
        return max(1, round(extra))

    def equal_epochs(self, backbone: str, epochs: int) -> Optional[int]:
        """L + E for Montage + ``epochs``, or None before the calibration exists (nothing runs)."""
        if self.quick or backbone in self.results['calibration']:
            return epochs + self.extra_epochs(backbone, '', epochs)
        return None

    def finetune(self, cell: Cell) -> Dict:
        """Fine-tune and evaluate one detector (box AP on the val split after the last epoch)."""
        rec = self.done(cell)
        if rec:
            return rec
        pre = self.pretrain(cell.backbone, cell.variant, cell.seed) if cell.init == 'montage' else None
        config = self.cfg.backbones[cell.backbone]['finetune'][cell.init]
        root = self.data_root + '/'
        options = {f'{loader}_dataloader.dataset.{key}': value
                   for loader, split in (('train', 'train'), ('val', 'val'), ('test', 'val'))
                   for key, value in (('data_root', root), ('ann_file', self.data[split]['ann']),
                                      ('data_prefix.img', self.data[split]['img']))}
        options.update({'val_evaluator.ann_file': self.split('val', 'ann'),
                        'test_evaluator.ann_file': self.split('val', 'ann'),
                        'train_cfg.max_epochs': cell.epochs, 'train_cfg.val_interval': cell.epochs,
                        'param_scheduler.1.end': cell.epochs,
                        'param_scheduler.1.milestones': lr_milestones(cell.epochs, self.cfg.lr_steps),
                        'default_hooks.checkpoint.interval': cell.epochs, 'randomness.seed': cell.seed,
                        **(self.cfg.quick.finetune_options if self.quick else {})})
        if pre is not None:
            options['model.backbone.init_cfg.checkpoint'] = osp.join(self.out, pre['key'], 'backbone.pth')
        elif cell.init == 'imagenet':
            options['model.backbone.init_cfg.checkpoint'] = self.imagenet_weights(cell.backbone)
        work_dir = osp.join(self.out, cell.key)
        shutil.rmtree(work_dir, ignore_errors=True)
        print(f'[reproduce] {cell.key}', flush=True)
        timing = self.launch(config, work_dir, options, osp.join(work_dir, 'train.log'))
        for name in os.listdir(work_dir):
            if name.endswith('.pth'):
                os.remove(osp.join(work_dir, name))
        resolved = Config.fromfile(osp.join(REPO_ROOT, config))
        resolved.merge_from_dict(options)
        images = self.num_train_images
        batch = resolved.train_dataloader.batch_size * self.world_size()
        iters = cell.epochs * math.ceil(images / batch)
        return self.record(cell, seconds=round(timing.wall, 1), cpu_seconds=round(timing.cpu, 1),
                           load=round(timing.load, 2), images=cell.epochs * images,
                           train_seconds=round(training_seconds(work_dir, iters), 1),
                           bbox_mAP=last_logged(work_dir, 'coco/bbox_mAP'),
                           bbox_mAP_50=last_logged(work_dir, 'coco/bbox_mAP_50'),
                           pretrain=pre['key'] if pre else None, config=config)

    def run(self, only: Sequence[str], budget_minutes: Optional[float]) -> List[str]:
        """Run every planned cell not yet done; returns the keys of the cells left out (budget) and
        the failures (a failed run is reported with its log and the study goes on)."""
        self.prepare_data()
        left_out = []
        for part, item in self.plan(only):
            over_budget = budget_minutes is not None and time.time() - self.started > 60 * budget_minutes
            try:
                if isinstance(item, tuple):  # scratch at equal compute: its length needs the calibration
                    _, backbone, epochs, seed = item
                    if over_budget and backbone not in self.results['calibration']:
                        left_out.append(f'finetune_{backbone}_scratch-equal-to-{epochs}e_seed{seed}')
                        continue
                    item = Cell('finetune', backbone, '', 'scratch', epochs + self.extra_epochs(backbone, part, epochs),
                                seed)
                if self.done(item):
                    continue
                if over_budget:
                    left_out.append(item.key)
                    continue
                if self.command not in self.results.setdefault('commands', []):
                    self.results['commands'].append(self.command)
                self.finetune(item)
            except ToolFailed as err:
                print(f'[reproduce] FAILED: {err}', flush=True)
                left_out.append(f'{item if isinstance(item, tuple) else item.key} (failed: {err})')
            write_report(self, only)
        write_report(self, only)
        return left_out


# ---- the report ------------------------------------------------------------------------------
def mean_std(values: Sequence[float]) -> str:
    if not values:
        return 'not run'
    if len(values) == 1:
        return f'{values[0]:.3f} (n=1)'
    return f'{statistics.mean(values):.3f} +- {statistics.stdev(values):.3f} (n={len(values)})'


def whole(value: float) -> str:
    """A median cost for the tables: rounded, or 'not run' for a row without runs (NaN)."""
    return 'not run' if math.isnan(value) else f'{value:.0f}'


def group(study: Study, backbone: str, source: str, epochs: int) -> List[Dict]:
    """Finished fine-tuning runs of one row: ``source`` is a variant for Montage, else the init."""
    return [r for r in study.results['runs'].values()
            if r['kind'] == 'finetune' and r['backbone'] == backbone and r['epochs'] == epochs
            and (r['variant'] if r['init'] == 'montage' else r['init']) == source]


def totals(study: Study, runs: Sequence[Dict]) -> Dict:
    """Median total wall seconds, compute and images (pre-training included) of a row's runs: the
    median, since a run that shared the machine costs more without being a different experiment."""
    pre = [study.results['runs'].get(r['pretrain']) if r.get('pretrain') else None for r in runs]
    measures = dict(seconds=lambda r: r['seconds'], compute=study.compute, images=lambda r: r['images'])
    return {name: statistics.median(f(r) + (f(p) if p else 0) for r, p in zip(runs, pre)) if runs else float('nan')
            for name, f in measures.items()}


def compare(better: Sequence[Dict], worse: Sequence[Dict], on_par: bool = False) -> str:
    """Difference of mean box AP with its standard error, and what it says at 2 standard errors
    about "``better`` beats ``worse``" (or, with ``on_par``, "``better`` is on par or better")."""
    a, b = [r['bbox_mAP'] for r in better], [r['bbox_mAP'] for r in worse]
    if len(a) < 2 or len(b) < 2:
        return 'not enough runs yet'
    diff = statistics.mean(a) - statistics.mean(b)
    se = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    if on_par:
        verdict = 'holds' if diff > -2 * se else 'reversed'
    else:
        verdict = 'holds' if diff > 2 * se else 'reversed' if diff < -2 * se else 'not resolved (within 2 SE)'
    return f'{diff:+.3f} +- {se:.3f}: {verdict}'


def claims(study: Study, only: Sequence[str]) -> List[tuple]:
    """(the paper's claim, the comparison here, difference +- SE and verdict) for every part run."""
    cfg, rows = study.cfg, []
    if 'curve' in only:
        b = cfg.parts['curve']['backbone']
        for epochs in study.lengths(cfg.parts['curve']):
            equal_epochs = study.equal_epochs(b, epochs)
            equal = group(study, b, 'scratch', equal_epochs) if equal_epochs else []
            rows.append(('Pre-training pays for itself: pre-training + fine-tuning beats random init given the same '
                         'total compute', f'{cfg.backbones[b]["label"]}: Montage + {epochs} e vs random init '
                         + (f'{equal_epochs} e' if equal_epochs else '(equal compute not measured yet)'),
                         compare(group(study, b, 'erf', epochs), equal)))
    if 'init' in only:
        epochs = study.length(cfg.parts['init'])
        for b in cfg.parts['init']['backbones']:
            rows.append(('Montage pre-training beats random init (same fine-tuning)',
                         f'{cfg.backbones[b]["label"]}, {epochs} e',
                         compare(group(study, b, 'erf', epochs), group(study, b, 'scratch', epochs))))
            if 'imagenet' in cfg.backbones[b]['finetune']:
                rows.append(('Montage pre-training is on par with ImageNet pre-training (or better)',
                             f'{cfg.backbones[b]["label"]}, {epochs} e',
                             compare(group(study, b, 'erf', epochs), group(study, b, 'imagenet', epochs), on_par=True)))
    ablations = (('heads', 'ERF-adaptive labels beat block-wise labels', 'erf', 'blockwise'),
                 ('heads', 'block-wise labels beat one global label', 'blockwise', 'global'),
                 ('heads', 'tau 0.7 beats tau 0.5', 'erf', 'tau0.5'),
                 ('heads', 'tau 0.7 beats tau 1.0', 'erf', 'tau1.0'),
                 ('context', 'random context around the positives beats the bare box', 'erf', 'bare'),
                 ('assembly', 'pad & crop beats warping each sample to its region', 'erf', 'warp'))
    for part, claim, better, worse in ablations:
        if part in only and {better, worse} <= set(cfg.parts[part]['variants']):
            b, epochs = cfg.parts[part]['backbone'], study.length(cfg.parts[part])
            rows.append((claim, f'{cfg.backbones[b]["label"]}, {epochs} e',
                         compare(group(study, b, better, epochs), group(study, b, worse, epochs))))
    return rows


def plot_curve(study: Study, path: str) -> bool:
    """Box AP against total compute (seconds and images), Montage and scratch; False without runs."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    backbone = study.cfg.parts['curve']['backbone']
    rows = {}
    for r in study.results['runs'].values():
        if r['kind'] == 'finetune' and r['backbone'] == backbone and r['init'] in ('montage', 'scratch') \
                and (r['init'] == 'scratch' or r['variant'] == 'erf'):
            rows.setdefault((r['init'], r['epochs']), []).append(r)
    if not rows:
        return False
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for init, colour in (('montage', 'tab:red'), ('scratch', 'tab:blue')):
        points = sorted((e, runs) for (i, e), runs in rows.items() if i == init)
        for ax, unit in zip(axes, ('compute', 'images')):
            xs = [totals(study, runs)[unit] for _, runs in points]
            ys = [statistics.mean(r['bbox_mAP'] for r in runs) for _, runs in points]
            errs = [statistics.stdev([r['bbox_mAP'] for r in runs]) if len(runs) > 1 else 0 for _, runs in points]
            ax.errorbar(xs, ys, yerr=errs, color=colour, marker='o', capsize=3, label=INIT_LABELS[init])
            for (epochs, _), x, y in zip(points, xs, ys):
                ax.annotate(f'{epochs}e', (x, y), textcoords='offset points', xytext=(4, -10), fontsize=8)
    axes[0].set_xlabel(f'total compute, pre-training + fine-tuning ({study.compute_unit})')
    axes[1].set_xlabel('total images processed (montages + detection images)')
    for ax in axes:
        ax.set_ylabel('box AP (val)')
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f'{study.cfg.backbones[backbone]["label"]}: box AP against compute (mean +- std over seeds)')
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def plot_bars(rows: Sequence[tuple], path: str) -> bool:
    """A bar per (label, runs) row with its std as error bar; False without runs."""
    rows = [(label, runs) for label, runs in rows if runs]
    if not rows:
        return False
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.2))
    means = [statistics.mean(r['bbox_mAP'] for r in runs) for _, runs in rows]
    stds = [statistics.stdev([r['bbox_mAP'] for r in runs]) if len(runs) > 1 else 0 for _, runs in rows]
    ax.barh(range(len(rows)), means, xerr=stds, capsize=3, color='tab:gray')
    ax.set_yticks(range(len(rows)), [f'{label} (n={len(runs)})' for label, runs in rows], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel('box AP (val), mean +- std over seeds')
    ax.grid(axis='x', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def environment() -> str:
    import mmcv
    import mmdet
    import mmengine
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return (f'{os.cpu_count()} x {cpu}; Python {platform.python_version()}, torch {torch.__version__}, '
            f'mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}')


def write_report(study: Study, only: Sequence[str]) -> None:
    """Rewrite the markdown report and its figures from the results so far."""
    cfg, runs = study.cfg, study.results['runs']
    os.makedirs(study.doc_dir, exist_ok=True)
    rel = osp.basename(study.doc_dir)
    lines = ['# Reproduction of the paper\'s claims at small scale', '',
             '<!-- written by tools/analysis_tools/reproduce.py; rerun it to update -->', '',
             'Commands that ran these runs: ' + '; '.join(f'`{c}`' for c in study.results.get('commands', [])) + '  ',
             f'Machine: {environment()}  ',
             f'Written: {datetime.datetime.now().strftime("%Y-%m-%d %H:%M")}; wall time of all runs so far: '
             f'{sum(r["seconds"] for r in runs.values()) / 3600:.2f} h ({len(runs)} runs); '
             f'every run is in [{rel}/runs.json]({rel}/runs.json).', '']
    data = study.data
    pre_runs = [r for r in runs.values() if r['kind'] == 'pretrain']
    pretrain_note = (f'{pre_runs[0]["iterations"]} iterations x {pre_runs[0]["batch"]} montages'
                     if pre_runs else 'the configs\' schedule')
    lines += ['## Set-up', '',
              f'- Data: `{data["root"]}`'
              + (f' (the demo dataset, {data["demo"]["num_train"]} training and {data["demo"]["num_val"]} '
                 f'validation images, seed {data["demo"]["seed"]})' if data.get('demo') else '')
              + f'; box AP is COCO mAP@[.5:.95] on `{data["val"]["ann"]}` after the last epoch.',
              f'- Pre-training: the backbone\'s Montage config ({pretrain_note} per run); variants: '
              + '; '.join(f'`{k}` {v["label"]}' for k, v in cfg.variants.items()) + '.',
              f'- Fine-tuning: the detector configs named in `{study.study_path}`; L epochs, lr x0.1 at '
              f'{", ".join(f"{f:g}" for f in cfg.lr_steps)} of the run; a Montage backbone is fine-tuned the paper\'s '
              'way (frozen stem and BN), a random one with everything training and BN in train mode.',
              '- Seeds: ' + '; '.join(f'{p} {study.seeds(cfg.parts[p])}' for p in PARTS if p in only) + '.',
              '- Compute: ' + ('GPU seconds (wall x GPUs)' if study.compute_unit == 'GPU s' else
                               'CPU seconds of every process of a run (data workers included; other work on the '
                               'machine inflates them far less than wall seconds)')
              + ' and images processed (montages in pre-training, detection images in fine-tuning); wall seconds '
              'are in the tables too, and every run records the machine\'s load average in runs.json.',
              '- Equal compute: random init fine-tunes L + E epochs against Montage + L, with E = round((P + L f_m - '
              'L f_s) / f_s), P the pre-training\'s compute and f_m, f_s one fine-tuning epoch\'s from a Montage and '
              'a random backbone (medians over seeds; the random one trains every layer, so its epoch costs more): '
              + ('; '.join(f'{b}: P = {c["pretrain_compute"]:.0f} {c["unit"]}, f_m = {c["epoch_compute_montage"]:.0f}, '
                           f'f_s = {c["epoch_compute_scratch"]:.0f} (from {len(c["measured_from"])} runs)'
                           for b, c in study.results['calibration'].items())
                 or ('E fixed by --quick' if study.quick else 'not measured yet')) + '.', '']
    lines += ['## The paper\'s claims, measured here', '', '| the paper\'s claim | compared here | box AP difference '
              '+- SE: verdict |', '|---|---|---|']
    lines += [f'| {claim} | {what} | {result} |' for claim, what, result in claims(study, only)]
    lines += ['', 'Not measured here: the paper\'s "about 1/4 of ImageNet pre-training\'s compute" (the ImageNet '
              'weights were trained elsewhere; this study counts only its own runs).', '']
    bars = []
    if 'curve' in only:
        part = cfg.parts['curve']
        b = part['backbone']
        lines += ['## The compute curve (the paper\'s central claim)', '',
                  f'{cfg.backbones[b]["label"]}: Montage pre-training + L epochs against random init at the same L '
                  'and at equal compute.', '',
                  f'| fine-tuning L | Montage + L | random init, L | random init, equal compute | '
                  f'total {study.compute_unit} (Montage, median) | total {study.compute_unit} (equal, median) | '
                  'Montage - equal compute |', '|---|---|---|---|---|---|---|']
        for epochs in study.lengths(part):
            montage, scratch = group(study, b, 'erf', epochs), group(study, b, 'scratch', epochs)
            equal_epochs = study.equal_epochs(b, epochs)
            equal = group(study, b, 'scratch', equal_epochs) if equal_epochs else []
            lines.append(f'| {epochs} | {mean_std([r["bbox_mAP"] for r in montage])} | '
                         f'{mean_std([r["bbox_mAP"] for r in scratch])} | '
                         f'{mean_std([r["bbox_mAP"] for r in equal])}'
                         + (f' ({equal_epochs} e)' if equal_epochs else '')
                         + f' | {whole(totals(study, montage)["compute"])} | '
                         f'{whole(totals(study, equal)["compute"])} | '
                         f'{compare(montage, equal)} |')
        if plot_curve(study, osp.join(study.doc_dir, 'compute_curve.png')):
            lines += ['', f'![box AP against compute]({rel}/compute_curve.png)']
        lines.append('')
    if 'init' in only:
        part = cfg.parts['init']
        epochs = study.length(part)
        lines += ['## Initialisation', '', f'Fine-tuning L = {epochs} epochs.', '',
                  '| backbone | initialisation | box AP | box AP50 | fine-tune wall s (median) | '
                  f'total {study.compute_unit} (median) | total images |',
                  '|---|---|---|---|---|---|---|']
        notes = []
        for b in part['backbones']:
            equal_epochs = study.equal_epochs(b, epochs)
            rows = [(init, group(study, b, 'erf' if init == 'montage' else init, epochs))
                    for init in cfg.backbones[b]['finetune']]
            rows.append(('scratch-equal', group(study, b, 'scratch', equal_epochs) if equal_epochs else []))
            for init, group_runs in rows:
                t = totals(study, group_runs)
                label = INIT_LABELS[init] + (f' ({equal_epochs} e)' if init == 'scratch-equal' and equal_epochs else '')
                finetune_seconds = statistics.median(r['seconds'] for r in group_runs) if group_runs else float('nan')
                lines.append(f'| {cfg.backbones[b]["label"]} | {label} | '
                             f'{mean_std([r["bbox_mAP"] for r in group_runs])} | '
                             f'{mean_std([r["bbox_mAP_50"] for r in group_runs])} | {whole(finetune_seconds)} | '
                             f'{whole(t["compute"])} | {whole(t["images"])} |')
                bars.append((f'{cfg.backbones[b]["label"]}: {label}', group_runs))
            named = dict(rows)
            notes.append(f'- {cfg.backbones[b]["label"]}, Montage - random init (same L): '
                         f'{compare(named["montage"], named["scratch"])}; Montage - random init at equal compute: '
                         f'{compare(named["montage"], named["scratch-equal"])}'
                         + (f'; Montage - ImageNet: {compare(named["montage"], named["imagenet"])}'
                            if 'imagenet' in named else ''))
        lines += [''] + notes + ['']
    for name, title in (('heads', 'Labelling head and tau'), ('context', 'Context of the positives'),
                        ('assembly', 'Montage assembly')):
        if name not in only:
            continue
        part = cfg.parts[name]
        b, epochs = part['backbone'], study.length(part)
        lines += [f'## {title}', '', f'{cfg.backbones[b]["label"]}, Montage pre-training variant + {epochs} epochs '
                  'of fine-tuning.', '', '| variant | box AP | box AP50 | against the method |', '|---|---|---|---|']
        method = group(study, b, 'erf', epochs)
        for variant in part['variants']:
            group_runs = group(study, b, variant, epochs)
            lines.append(f'| {cfg.variants[variant]["label"]} | {mean_std([r["bbox_mAP"] for r in group_runs])} | '
                         f'{mean_std([r["bbox_mAP_50"] for r in group_runs])} | '
                         + ('' if variant == 'erf' else f'method - this: {compare(method, group_runs)}') + ' |')
            if variant != 'erf' or name == 'heads':
                bars.append((f'{cfg.variants[variant]["label"]}', group_runs))
        lines.append('')
    if plot_bars(bars, osp.join(study.doc_dir, 'ablations.png')):
        lines += ['## All rows at a glance', '', f'![box AP per row]({rel}/ablations.png)', '']
    planned = [item for _, item in study.plan(only)]
    missing = [c.key for c in planned if isinstance(c, Cell) and c.key not in runs]
    missing += [f'finetune_{b}_scratch-equal-to-{e}e_seed{s}' for c in planned if isinstance(c, tuple)
                for _, b, e, s in [c] if study.equal_epochs(b, e) is None
                or f'finetune_{b}_scratch_{study.equal_epochs(b, e)}e_seed{s}' not in runs]
    not_yet = f'{len(missing)} planned runs have not run yet: ' + ', '.join(f'`{k}`' for k in missing)
    not_requested = ', '.join(p for p in PARTS if p not in only) or 'none'
    versions: Dict[str, List[str]] = {}
    for r in runs.values():
        versions.setdefault(r.get('code', 'unknown'), []).append(r['key'])
    lines += ['## Code versions', '',
              'Each run records the commit it ran at (`+changes`: with uncommitted changes to the code or '
              'configs). A pre-training whose exported backbone is gone (a new machine) runs again with the same '
              'seed when a fine-tuning needs it, and keeps its first record; the fine-tuning records its own '
              'commit.', '']
    lines += [f'- `{code}` ({len(keys)} runs): ' + ', '.join(f'`{k}`' for k in keys) for code, keys in versions.items()]
    lines += ['', '## Left out', '', not_yet if missing else 'Nothing: every planned run finished.',
              '', f'Parts not requested in this run: {not_requested}.', '',
              '## Reading the verdicts', '',
              '"holds" means the difference of mean box AP exceeds twice its standard error over the seeds; '
              '"reversed" the same the other way; otherwise the seeds cannot tell. With 2-3 seeds the standard '
              'errors are themselves rough. The verdicts are computed, not chosen: no schedule or seed was tuned '
              'toward the paper\'s answer.', '']
    with open(study.doc, 'w') as f:
        f.write('\n'.join(lines))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('study', nargs='?', default='configs/reproduce/reproduce_demo.py', help='study config')
    parser.add_argument('--out', default='work_dirs/reproduce', help='work folder of the runs (checkpoints, logs)')
    parser.add_argument('--only', default=','.join(PARTS), help=f'comma-separated parts of {PARTS}')
    parser.add_argument('--quick', action='store_true', help='tiny data and schedules (what the tests run)')
    parser.add_argument('--doc',
                        help='report to write (default: docs/reproduction.md, OUT/reproduction.md with --quick)')
    parser.add_argument('--budget-minutes', type=float, help='start no run after this many minutes')
    parser.add_argument('--recalibrate', action='store_true',
                        help='measure the equal-compute calibration again over every finished seed (e.g. when the '
                             'first seed shared the machine; see each run\'s load in runs.json)')
    return parser.parse_args()


def main():
    args = parse_args()
    only = [p.strip() for p in args.only.split(',') if p.strip()]
    unknown = sorted(set(only) - set(PARTS))
    if unknown:
        raise ConfigError(f'--only {args.only}: unknown parts {unknown}; choose from {", ".join(PARTS)}.')
    cfg = Config.fromfile(args.study)
    doc = args.doc or osp.join(args.out if args.quick else osp.join(REPO_ROOT, 'docs'), 'reproduction.md')
    study = Study(cfg, osp.relpath(osp.abspath(args.study), REPO_ROOT), osp.abspath(args.out), osp.abspath(doc),
                  args.quick, command='python tools/analysis_tools/reproduce.py ' + ' '.join(sys.argv[1:]))
    if args.recalibrate:
        study.results['calibration'] = {}
    left_out = study.run(only, args.budget_minutes)
    print(f'[reproduce] wrote {doc} and {study.doc_dir}/')
    for key in left_out:
        print(f'[reproduce] left out: {key}')
    if any('(failed' in key for key in left_out):
        raise SystemExit(1)


if __name__ == '__main__':
    run_cli(main)
