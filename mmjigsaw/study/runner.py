"""One run of the chain: data -> sample store -> Montage pre-training -> backbone export -> fine-tuning -> box AP.

Every training is a child process (``tools/train.py``, or ``tools/dist_train.sh`` for several GPUs)
of a config of the plan with one seed; what it cost and gave goes into :class:`~.results.Results`,
with the code hash it ran at and the hash of the sample store behind it. A fine-tuning saves its val
detections (``WORK_DIR/val.bbox.json``), which pycocotools matches image by image: box AP at full
precision, and the matches kept (``WORK_DIR/matches.npz`` and beside runs.json) for the bootstrap.
The study and the demo run their cells through :class:`CellRunner`; they differ in the
:class:`StudyLayout` (where each run writes) only.
"""
import json
import math
import os
import os.path as osp
import shutil
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Callable, Dict, List, Optional, Sequence

from mmengine.config import Config

from mmjigsaw.datasets import make_demo_dataset
from mmjigsaw.evaluation.per_image_ap import box_ap, match_detections
from mmjigsaw.utils import atomic_write_json
from .cells import Cell
from .logs import first_nan_loss, last_logged, logged_scalars, training_seconds
from .plan import StudyPlan
from .processes import ToolFailed, ToolRun, run_tool
from .provenance import code_hash, code_version, environment, store_hash
from .results import ERF_SCALARS, Results


def _read_json(path: str):
    """The JSON in ``path``, or None when there is no such file."""
    if not osp.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def lr_milestones(epochs: int, steps: Sequence[float]) -> List[int]:
    """Epochs at which the lr steps: ``round(f * epochs)`` for each fraction, inside (0, epochs)."""
    return sorted({round(f * epochs) for f in steps} & set(range(1, epochs)))


def cfg_options(options: Dict) -> List[str]:
    """``--cfg-options`` arguments for a dict of dotted keys."""
    return [f'{key}={json.dumps(value) if isinstance(value, (list, dict)) else value}'
            for key, value in options.items()]


class StudyLayout:
    """Where the study's runs write: ``OUT/<cell key>/`` (its ``train.log``, an exported
    ``backbone.pth``), other tools' logs in ``OUT/logs/``; checkpoints go once used."""
    keep_checkpoints = False

    def __init__(self, out: str):
        self.out = out

    def work_dir(self, cell: Cell) -> str:
        return osp.join(self.out, cell.key)

    def train_log(self, cell: Cell) -> str:
        return osp.join(self.work_dir(cell), 'train.log')

    def backbone(self, cell: Cell) -> str:
        """The exported backbone of a pre-training cell."""
        return osp.join(self.work_dir(cell), 'backbone.pth')

    def export_log(self, cell: Cell) -> Optional[str]:
        return osp.join(self.work_dir(cell), 'export.log')

    def tool_log(self, name: str) -> Optional[str]:
        return osp.join(self.out, 'logs', f'{name}.log')

    def imagenet(self, backbone: str) -> str:
        return osp.join(self.out, f'{backbone}_imagenet.pth')


class CellRunner:
    """Runs the cells of ``plan`` from the repository ``root`` and records them in ``results``.

    Args:
        echo: which lines of a logged run the terminal shows too (default: none).
        name: the prefix of its messages, ``[name] ...``.
        show_commands: print each tool's command line before it runs.
    """

    def __init__(self, plan: StudyPlan, results: Results, layout: StudyLayout, root: str,
                 echo: Optional[Callable[[str], bool]] = None, name: str = 'reproduce', show_commands: bool = False):
        self.plan, self.results, self.layout, self.root = plan, results, layout, root
        self.echo, self.name, self.show_commands = echo, name, show_commands
        self.data_root = osp.join(root, plan.data.root)
        self.num_train_images = None

    def say(self, message: str) -> None:
        print(f'[{self.name}] {message}', flush=True)

    def tool(self, args: Sequence[str], log: Optional[str] = None, launcher: Sequence[str] = ()) -> ToolRun:
        """Run a tool from ``root`` with ``root`` first on PYTHONPATH: it imports the mmjigsaw it hashes
        (a study run from another checkout than the editable install's trains that checkout's code)."""
        if self.show_commands:
            print('$ ' + ' '.join(args), flush=True)
        path = os.pathsep.join(p for p in (self.root, os.environ.get('PYTHONPATH', '')) if p)
        return run_tool(args, log=log, echo=self.echo, launcher=launcher, cwd=self.root,
                        env=dict(os.environ, PYTHONPATH=path))

    # ---- data ------------------------------------------------------------------------------
    def split(self, name: str, what: str) -> str:
        """Absolute path of a split's annotation file (``what='ann'``) or image folder (``'img'``)."""
        return osp.join(self.data_root, getattr(getattr(self.plan.data, name), what))

    def prepare_data(self) -> bool:
        """Render the demo data (when the plan asks for it) unless the data root holds exactly that data,
        as its ``demo.json`` says (other numbers in the config render it again, its stores with it), and
        count the training images; True when it rendered."""
        demo = self.plan.data.demo
        stamp = osp.join(self.data_root, 'demo.json')
        rendered = bool(demo) and not (osp.isfile(self.split('val', 'ann')) and _read_json(stamp) == asdict(demo))
        if rendered:
            self.say(f'rendering the demo data into {self.plan.data.root}')
            shutil.rmtree(self.data_root, ignore_errors=True)
            make_demo_dataset(self.data_root, demo.num_train, demo.num_val, demo.seed)
            atomic_write_json(asdict(demo), stamp)
        with open(self.split('train', 'ann')) as f:
            coco = json.load(f)
        self.num_train_images = len({a['image_id'] for a in coco['annotations']})  # mmdet skips empty images
        return rendered

    def store_path(self, name: str) -> str:
        return osp.join(self.data_root, self.plan.stores[name].folder)

    def store(self, name: str) -> str:
        """The sample store ``name`` of the plan, extracted from the training split on first use."""
        path = self.store_path(name)
        if not osp.isfile(osp.join(path, 'meta.json')):
            spec = self.plan.stores[name]
            self.tool(('tools/extract_samples.py', '--ann', self.split('train', 'ann'),
                       '--img-dir', self.split('train', 'img'), '--out', path,
                       '--workers', str(self.plan.data.extract_workers), '--context', str(spec.context),
                       '--format', spec.format),
                      log=self.layout.tool_log(f'store_{name}'))
        return path

    # ---- runs ------------------------------------------------------------------------------
    def launch(self, config: str, work_dir: str, options: Dict, log: str) -> ToolRun:
        args = ['--work-dir', work_dir, '--cfg-options', *cfg_options(options)]
        launcher = self.plan.launcher
        if launcher.type == 'dist':
            return self.tool((config, str(launcher.gpus), *args), log=log, launcher=('bash', 'tools/dist_train.sh'))
        return self.tool(('tools/train.py', config, *args), log=log)

    def resolved(self, config: str, options: Dict) -> Config:
        cfg = Config.fromfile(osp.join(self.root, config))
        cfg.merge_from_dict(options)
        return cfg

    def remove_checkpoints(self, work_dir: str, keep: Sequence[str] = ()) -> None:
        if not self.layout.keep_checkpoints:
            for name in os.listdir(work_dir):
                if name.endswith('.pth') and name not in keep:
                    os.remove(osp.join(work_dir, name))

    def provenance(self, store: Optional[str]) -> Dict:
        """What a record says about where it came from: the code hash (and commit) it ran at, the hash
        of the sample store behind it (None without one), the machine and when the run finished (UTC)."""
        return dict(code_hash=code_hash(self.root), code=code_version(self.root), store_hash=store,
                    machine=environment(), finished=datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))

    def run(self, cell: Cell) -> Dict:
        """Run a planned cell: a fine-tuning (with the pre-training it needs) or a direct pre-training."""
        if cell.kind == 'finetune':
            return self.finetune(cell)
        if cell.variant == 'direct':
            return self.pretrain_direct(cell)
        return self.pretrain(cell.backbone, cell.variant, cell.seed)

    def pretrain(self, backbone: str, variant: str, seed: int) -> Dict:
        """The Montage pre-training of ``backbone`` (one variant, one seed) and its exported backbone."""
        cell = Cell('pretrain', backbone, variant, '', 0, seed)
        work_dir, exported = self.layout.work_dir(cell), self.layout.backbone(cell)
        rec = self.results.done(cell)
        if rec and osp.isfile(exported):
            return rec
        spec = self.plan.variants[variant]
        config = spec.pretrain or self.plan.backbones[backbone].pretrain
        store = self.store(spec.store)
        options = {'train_dataloader.dataset.store': store, 'randomness.seed': seed,
                   'train_dataloader.dataset.seed': seed, **spec.options, **self.plan.pretrain_options}
        shutil.rmtree(work_dir, ignore_errors=True)
        self.say(cell.key)
        timing = self.launch(config, work_dir, options, self.layout.train_log(cell))
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            checkpoint = f.read().strip()
        self.tool(('tools/model_converters/extract_backbone.py', checkpoint, exported),
                  log=self.layout.export_log(cell))
        self.remove_checkpoints(work_dir, keep=(osp.basename(exported), ))
        resolved = self.resolved(config, options)
        iters = resolved.train_cfg.max_iters
        batch = resolved.train_dataloader.batch_size * self.plan.launcher.world_size
        values = dict(**self.provenance(store_hash(store)), seconds=round(timing.wall, 1),
                      cpu_seconds=round(timing.cpu, 1), load=round(timing.load, 2), images=iters * batch,
                      iterations=iters, batch=batch, train_seconds=round(training_seconds(work_dir, iters), 1),
                      config=config, **erf_scalars(work_dir))
        if rec:  # the backbone file was gone: the same run again, recorded beside its first measurement
            return self.results.record_again(cell, **values)
        return self.results.record(cell, **values)

    def detector(self, cell: Cell) -> str:
        """The kept checkpoint of a direct pre-training (the whole detector), which fine-tuning loads."""
        return osp.join(self.layout.work_dir(cell), 'detector.pth')

    def pretrain_direct(self, cell: Cell) -> Dict:
        """Direct detection pre-training: the whole detector from random init for ``cell.epochs`` at
        low resolution; its last checkpoint kept as :meth:`detector`."""
        rec = self.results.done(cell)
        if rec and osp.isfile(self.detector(cell)):
            return rec
        config = self.plan.backbones[cell.backbone].direct_pretrain
        work_dir = self.layout.work_dir(cell)
        options = self.finetune_options(cell)
        shutil.rmtree(work_dir, ignore_errors=True)
        self.say(cell.key)
        timing = self.launch(config, work_dir, options, self.layout.train_log(cell))
        with open(osp.join(work_dir, 'last_checkpoint')) as f:
            shutil.copy(f.read().strip(), self.detector(cell))
        self.remove_checkpoints(work_dir, keep=('detector.pth', ))
        batch = self.resolved(config, options).train_dataloader.batch_size * self.plan.launcher.world_size
        iters = cell.epochs * math.ceil(self.num_train_images / batch)
        values = dict(**self.provenance(None), seconds=round(timing.wall, 1), cpu_seconds=round(timing.cpu, 1),
                      load=round(timing.load, 2), images=cell.epochs * self.num_train_images, iterations=iters,
                      batch=batch, train_seconds=round(training_seconds(work_dir, iters), 1), config=config,
                      bbox_mAP_rounded=last_logged(work_dir, 'coco/bbox_mAP'))
        if rec:  # the detector file was gone: the same run again, recorded beside its first measurement
            return self.results.record_again(cell, **values)
        return self.results.record(cell, **values)

    def imagenet_weights(self, backbone: str) -> str:
        """The backbone's ImageNet weights in mmdet's key names (converted once)."""
        path = self.layout.imagenet(backbone)
        if not osp.isfile(path):
            self.tool(('tools/model_converters/torchvision2mmdet.py', '--arch', self.plan.backbones[backbone].imagenet,
                       '--imagenet', path), log=self.layout.tool_log(f'{backbone}_imagenet'))
        return path

    def finetune_options(self, cell: Cell) -> Dict:
        """The detector config's data, schedule (``cell.epochs``, lr steps of the plan), seed, and the
        val detections saved as ``WORK_DIR/val.bbox.json``."""
        root, data = self.data_root + '/', self.plan.data
        options = {f'{loader}_dataloader.dataset.{key}': value
                   for loader, split in (('train', data.train), ('val', data.val), ('test', data.val))
                   for key, value in (('data_root', root), ('ann_file', split.ann), ('data_prefix.img', split.img))}
        options.update({'val_evaluator.ann_file': self.split('val', 'ann'),
                        'test_evaluator.ann_file': self.split('val', 'ann'),
                        'val_evaluator.outfile_prefix': osp.join(self.layout.work_dir(cell), 'val'),
                        'train_cfg.max_epochs': cell.epochs, 'train_cfg.val_interval': cell.epochs,
                        'param_scheduler.1.end': cell.epochs,
                        'param_scheduler.1.milestones': lr_milestones(cell.epochs, self.plan.lr_steps),
                        'default_hooks.checkpoint.interval': cell.epochs, 'randomness.seed': cell.seed,
                        **self.plan.finetune_options})
        return options

    def evaluation(self, cell: Cell) -> Dict:
        """Box AP of a finished fine-tuning at full precision from its saved val detections (matches
        kept in the work dir and beside runs.json), with mmdet's rounded values for reference."""
        work_dir = self.layout.work_dir(cell)
        detections = osp.join(work_dir, 'val.bbox.json')
        rounded = dict(bbox_mAP_rounded=last_logged(work_dir, 'coco/bbox_mAP'),
                       bbox_mAP_50=last_logged(work_dir, 'coco/bbox_mAP_50'))
        with open(detections) as f:
            if not json.load(f):  # nothing detected: pycocotools cannot match an empty results file
                return dict(bbox_mAP=0.0, matches=None, **rounded)
        matches = match_detections(self.split('val', 'ann'), detections)
        matches.save(osp.join(work_dir, 'matches.npz'))
        kept = self.results.matches_path(cell.key)
        if kept:
            os.makedirs(osp.dirname(kept), exist_ok=True)
            matches.save(kept)
        return dict(bbox_mAP=box_ap(matches), matches=osp.basename(kept) if kept else None, **rounded)

    def fail_if_diverged(self, cell: Cell, work_dir: str, store: Optional[str], then: str = ''):
        """Record ``cell`` as diverged and raise :class:`ToolFailed` if its training loss went NaN."""
        nan_from = first_nan_loss(work_dir)
        if nan_from:
            self.results.record_diverged(cell, **self.provenance(store), reason=f'training loss NaN from {nan_from}',
                                         log=self.layout.train_log(cell))
            raise ToolFailed(f'diverged: training loss NaN from {nan_from}{then}')

    def finetune(self, cell: Cell) -> Dict:
        """Fine-tune and evaluate one detector (box AP on the val split after the last epoch). One whose
        training loss went NaN is recorded as diverged and fails (it detects nothing; mmdet logs no box AP);
        at the same code hash it is not run again, since training is deterministic on one machine."""
        rec = self.results.done(cell)
        if rec:
            return rec
        diverged = self.results.diverged.get(cell.key)
        if diverged:
            raise ToolFailed(f"diverged on {diverged['finished']} ({diverged['reason']}); not run again (to run it "
                             f"again, delete its entry under 'diverged' in {self.results.path})")
        config = self.plan.backbones[cell.backbone].finetune[cell.init]
        options = self.finetune_options(cell)
        pre, store = None, None
        if cell.init == 'direct':
            pre = self.pretrain_direct(cell.pretraining)
            options['load_from'] = self.detector(cell.pretraining)
        elif cell.pretraining is not None:
            pre = self.pretrain(cell.backbone, cell.variant, cell.seed)
            options['model.backbone.init_cfg.checkpoint'] = self.layout.backbone(cell.pretraining)
            store = pre.get('store_hash')
        elif cell.init == 'imagenet':
            options['model.backbone.init_cfg.checkpoint'] = self.imagenet_weights(cell.backbone)
        work_dir = self.layout.work_dir(cell)
        shutil.rmtree(work_dir, ignore_errors=True)
        self.say(cell.key)
        try:
            timing = self.launch(config, work_dir, options, self.layout.train_log(cell))
        except ToolFailed as failed:  # a NaN loss may also end training with an error
            self.fail_if_diverged(cell, work_dir, store, then=f'; then training failed ({failed})')
            raise
        self.remove_checkpoints(work_dir)
        self.fail_if_diverged(cell, work_dir, store)
        batch = self.resolved(config, options).train_dataloader.batch_size * self.plan.launcher.world_size
        iters = cell.epochs * math.ceil(self.num_train_images / batch)
        return self.results.record(cell, **self.provenance(store), seconds=round(timing.wall, 1),
                                   cpu_seconds=round(timing.cpu, 1), load=round(timing.load, 2),
                                   images=cell.epochs * self.num_train_images,
                                   train_seconds=round(training_seconds(work_dir, iters), 1),
                                   **self.evaluation(cell), pretrain=pre['key'] if pre else None,
                                   pretrain_again=len(pre.get('again', ())) if pre else None, config=config)


def erf_scalars(work_dir: str) -> Dict:
    """The ERF hook's scalars of a pre-training at its first and last refresh (``{'first': x, 'last': y}``
    per name), None for a head without ERF weights (nothing logged)."""
    records = logged_scalars(work_dir)
    values = {name: [r[name] for r in records if name in r] for name in ERF_SCALARS}
    return {name: dict(first=v[0], last=v[-1]) if v else None for name, v in values.items()}
