"""The demo (``make demo``): one seed of Montage pre-training + L epochs against random init given at least
the pre-training's compute.

Its plan is ``configs/reproduce/make_demo.py`` (the study config cut to the demo: fewer images, one
seed, ResNet-18, a shorter pre-training, box AP after every epoch), run by the study's runner. Random
init gets E = round(P / f_m) extra fine-tuning epochs (:func:`extra_epochs`), P and f_m measured in the
demo's own runs. It writes ``summary.json``, ``compute_curve.png`` (box AP against compute),
``detections.png`` (both detectors on the same val images beside the ground truth), montage pictures
and ERF maps. Its work dir is emptied first, but only one the demo made (it leaves a mark there); its
data folder is rendered again only where the demo rendered it (``demo.json``).
"""
import json
import os
import os.path as osp
import shutil
import time
from dataclasses import replace
from typing import Dict, List, Tuple

import cv2
import numpy as np
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmjigsaw.errors import ConfigError, DataError
from mmjigsaw.utils import atomic_write_json
from mmjigsaw.visualization import CurveArm, draw_boxes, fit_image, panel_rows, plot_compute_curve, save_rgb_png, titled
from .calibration import epoch_compute
from .cells import Cell
from .logs import logged_scalars
from .plan import LauncherSpec, StudyPlan, load_study
from .results import Results
from .runner import CellRunner, StudyLayout, lr_milestones

DEMO_CONFIG = 'configs/reproduce/make_demo.py'
#: the demo's compute: CPU seconds of a run on this machine (the study's launcher for tools/train.py)
CPU_SECONDS = LauncherSpec('python')
#: Lines of a training log that the terminal shows (the whole log goes to a file).
PROGRESS_MARKS = ('Epoch(train)', 'Epoch(val)', 'ERFUpdateHook', 'bbox_mAP_copypaste')
LABELS = dict(pretrained='Montage pre-trained (frozen stem and BN)',
              scratch='random init (every layer trains, BN in train mode)')
#: RGB colours of the ground truth and of each detector, in both figures.
COLOURS = dict(truth=(40, 170, 40), pretrained=(214, 39, 40), scratch=(31, 119, 180))
#: the file that marks a work dir as the demo's, which the next demo may empty
WORK_DIR_MARK = '.mmjigsaw-demo'
#: what every demo output repeats: one seed is an anecdote
ONE_SEED = ('One seed ({seed}) cannot decide: seeds move box AP by as much as such gaps, and both detectors are '
            'far from converged. The study with several seeds and a paired test: docs/reproduction.md '
            '(tools/analysis_tools/reproduce.py).')
#: what "box AP" and "CPU s" mean in the demo's table and figures
UNITS = ('Box AP: COCO AP@[.5:.95] on the val images, 0-1. CPU s: processor seconds summed over threads and '
         'loader workers; the pre-training counted whole (ERF refreshes included), each fine-tuning epoch its '
         'training iterations (start-up and evaluation left out), as the study counts them.')


class DemoLayout(StudyLayout):
    """``OUT/pretrain/`` (log ``OUT/pretrain.log``), ``OUT/backbone.pth``, ``OUT/det_pretrained/`` and
    ``OUT/det_scratch/`` (logs beside them); checkpoints kept, other tools' output on the terminal."""
    keep_checkpoints = True
    DETECTORS = dict(montage='det_pretrained', scratch='det_scratch')

    def _name(self, cell: Cell) -> str:
        return 'pretrain' if cell.kind == 'pretrain' else self.DETECTORS[cell.init]

    def work_dir(self, cell: Cell) -> str:
        return osp.join(self.out, self._name(cell))

    def train_log(self, cell: Cell) -> str:
        return osp.join(self.out, f'{self._name(cell)}.log')

    def backbone(self, cell: Cell) -> str:
        return osp.join(self.out, 'backbone.pth')

    def export_log(self, cell: Cell) -> None:
        return None

    def tool_log(self, name: str) -> None:
        return None


def demo_settings(root: str) -> Config:
    """The ``demo`` section of the demo config: variant, run options, what the detections figure shows."""
    return Config.fromfile(osp.join(root, DEMO_CONFIG)).demo


def demo_plan(root: str, quick: bool = False, data_root: str = '') -> StudyPlan:
    """The demo config's plan with the demo's run options (``quick``: the study's tiny data and
    schedules, for the tests; their options win); ``data_root`` replaces the config's data folder."""
    plan = load_study(osp.join(root, DEMO_CONFIG), quick=quick, root=root)
    demo = demo_settings(root)
    plan = replace(plan, pretrain_options={**demo.pretrain_options, **plan.pretrain_options},
                   finetune_options={**demo.finetune_options, **plan.finetune_options})
    return replace(plan, data=replace(plan.data, root=data_root)) if data_root else plan


def _made_by_the_demo(work_dir: str) -> bool:
    """The demo's mark is there, or the ``summary.json`` of a demo older than the mark."""
    if osp.isfile(osp.join(work_dir, WORK_DIR_MARK)):
        return True
    try:
        with open(osp.join(work_dir, 'summary.json')) as f:
            return {'extra_epochs', 'arms'} <= set(json.load(f))
    except (OSError, ValueError, TypeError):
        return False


def fresh_work_dir(work_dir: str) -> None:
    """Make ``work_dir`` an empty folder marked as the demo's: a folder the demo made before is emptied,
    saying so; a file, a link or any other folder with files in it is refused."""
    if osp.islink(work_dir) or (osp.exists(work_dir) and not osp.isdir(work_dir)):
        raise ConfigError(f'--work-dir {work_dir} is a file or a link; give a new or empty folder.')
    if osp.isdir(work_dir) and os.listdir(work_dir):
        if not _made_by_the_demo(work_dir):
            raise ConfigError(f'--work-dir {work_dir} holds files the demo did not make; give a new or empty folder.')
        print(f'removing the previous demo results in {work_dir}', flush=True)
        shutil.rmtree(work_dir)
    os.makedirs(work_dir, exist_ok=True)
    open(osp.join(work_dir, WORK_DIR_MARK), 'w').close()


def check_data_root(data_root: str) -> None:
    """Refuse a data folder with files in it that the demo did not render (no ``demo.json``): the demo
    renders its own data there and would replace them."""
    if osp.exists(data_root) and not osp.isdir(data_root):
        raise ConfigError(f'--data {data_root} is a file; give a new or empty folder.')
    if osp.isdir(data_root) and os.listdir(data_root) and not osp.isfile(osp.join(data_root, 'demo.json')):
        raise ConfigError(f'--data {data_root} holds files the demo did not render (no demo.json), which rendering '
                          'would delete; the demo makes its own data: give a new or empty folder (or remove an '
                          'interrupted rendering).')


def extra_epochs(pretrain_compute: float, epoch_compute: float) -> int:
    """E = round(P / f_m), at least 1: the extra fine-tuning epochs that give random init the Montage
    pre-training's compute ``P``, counted in Montage fine-tuning epochs of compute ``f_m`` (same unit).
    A random-init epoch costs more (nothing frozen), so random init gets at least equal compute."""
    return max(1, round(pretrain_compute / epoch_compute))


def ap_per_epoch(work_dir: str) -> List[float]:
    """Box AP (0-1) after each epoch of a run evaluated every epoch, first epoch first: mmdet's logged
    value, 0 for an evaluation that logged none (no detection above the test threshold)."""
    evaluations = sorted((r for r in logged_scalars(work_dir) if 'iter' not in r and 'step' in r),
                         key=lambda r: r['step'])  # an evaluation's step is its epoch
    return [r.get('coco/bbox_mAP', 0.0) for r in evaluations]


def arm_summary(rec: Dict, lr_steps: Tuple[float, ...], pretrain_compute: float = 0.0) -> Dict:
    """One detector's record as the summary holds it: epochs, the epochs after which its lr stepped
    (``lr_steps``: the plan's fractions of the schedule), compute (CPU s: pre-training + epochs x one
    epoch's), box AP after every epoch (mmdet's logged value, 3 decimals), its final box AP (the
    runner's, full precision) and its wall seconds."""
    per_epoch = epoch_compute(rec, CPU_SECONDS)
    curve = ap_per_epoch(rec['work_dir'])
    if len(curve) != rec['epochs']:
        raise DataError(f"{rec['work_dir']}: {len(curve)} evaluations logged for {rec['epochs']} epochs; the demo "
                        'evaluates after every epoch (train_cfg.val_interval=1).')
    return dict(epochs=rec['epochs'], lr_steps_after=lr_milestones(rec['epochs'], lr_steps),
                epoch_cpu_seconds=round(per_epoch, 2),
                compute_cpu_seconds=round(pretrain_compute + rec['epochs'] * per_epoch, 1),
                bbox_mAP=rec['bbox_mAP'], seconds=rec['seconds'],
                curve=[dict(epoch=e, compute_cpu_seconds=round(pretrain_compute + e * per_epoch, 1), bbox_mAP=ap)
                       for e, ap in enumerate(curve, start=1)])


def _hex(rgb: Tuple[int, int, int]) -> str:
    return '#%02x%02x%02x' % rgb


def save_compute_curve(summary: Dict, path: str) -> str:
    """The PNG of box AP against compute (CPU s) of both arms, one point per epoch; returns ``path``."""
    arms = summary['arms']
    pre, scratch = arms['pretrained'], arms['scratch']
    curves = [CurveArm(f"Montage pre-training + {pre['epochs']} epochs: {pre['compute_cpu_seconds']:.0f} CPU s "
                       f"({summary['pretrain_cpu_seconds']:.0f} + {pre['epochs']} x {pre['epoch_cpu_seconds']:.1f})",
                       _hex(COLOURS['pretrained']), [p['epoch'] for p in pre['curve']],
                       [p['compute_cpu_seconds'] for p in pre['curve']], [p['bbox_mAP'] for p in pre['curve']],
                       pretrain=summary['pretrain_cpu_seconds']),
              CurveArm(f"random init, {scratch['epochs']} epochs: {scratch['compute_cpu_seconds']:.0f} CPU s "
                       f"({scratch['epochs']} x {scratch['epoch_cpu_seconds']:.1f})",
                       _hex(COLOURS['scratch']), [p['epoch'] for p in scratch['curve']],
                       [p['compute_cpu_seconds'] for p in scratch['curve']], [p['bbox_mAP'] for p in scratch['curve']])]
    plot_compute_curve(
        curves, path, f"make demo, seed {summary['seed']}: Montage vs random init given the pre-training's "
        f"compute (E = {summary['extra_epochs']} extra epochs)",
        note='Compute: CPU seconds; the pre-training whole, each fine-tuning epoch its training iterations. '
             'Box AP: COCO AP@[.5:.95], val.\nOne seed cannot decide, and both are far from converged; the '
             'study with several seeds and a paired test: docs/reproduction.md')
    return path


def detect(config: Config, work_dir: str, images: List[str]) -> List[Tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(boxes (N, 4) x1 y1 x2 y2 in image pixels, labels (N,), scores (N,) 0-1) of each image, from the
    last checkpoint in ``work_dir`` of the detector ``config``, on the CPU. mmdet's inference makes
    ``mmdet`` the default scope; the caller's scope is given back afterwards."""
    from mmdet.apis import inference_detector, init_detector

    from mmjigsaw.engine import allow_mmengine_checkpoints
    allow_mmengine_checkpoints()  # the runner checkpoints' logs, loaded with weights_only=True
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = init_detector(config, checkpoint, device='cpu')
        results = inference_detector(model, images)
    return [(r.pred_instances.bboxes.numpy(), r.pred_instances.labels.numpy(), r.pred_instances.scores.numpy())
            for r in results]


def save_detections(runner: CellRunner, models: Dict[str, Tuple[Config, str]], summary: Dict, spec: Config,
                    path: str) -> str:
    """The PNG of the first ``spec.num_images`` val images, one row each: the ground truth, then each
    detector's boxes scoring at least ``spec.score_thr`` (at most ``spec.max_boxes``); returns ``path``.

    Args:
        models: name ('pretrained', 'scratch') -> (its resolved config, its work dir).
    """
    with open(runner.split('val', 'ann')) as f:
        coco = json.load(f)
    classes = [c['name'] for c in sorted(coco['categories'], key=lambda c: c['id'])]
    index = {c['id']: i for i, c in enumerate(sorted(coco['categories'], key=lambda c: c['id']))}
    shown = sorted(coco['images'], key=lambda im: im['id'])[:spec.num_images]
    files = [osp.join(runner.split('val', 'img'), im['file_name']) for im in shown]
    found = {name: detect(config, work_dir, files) for name, (config, work_dir) in models.items()}
    rows = []
    for i, (im, file) in enumerate(zip(shown, files)):
        anns = [a for a in coco['annotations'] if a['image_id'] == im['id']]
        truth = np.array([[x, y, x + w, y + h] for x, y, w, h in (a['bbox'] for a in anns)]).reshape(-1, 4)
        kept = {}
        for name, dets in found.items():
            boxes, labels, scores = dets[i]
            keep = np.argsort(-scores)[:spec.max_boxes]
            keep = keep[scores[keep] >= spec.score_thr]
            kept[name] = (boxes[keep], labels[keep], scores[keep])
        img, (truth, *boxes) = fit_image(cv2.imread(file)[..., ::-1], [truth, *(k[0] for k in kept.values())],
                                         spec.size)
        row = [titled(draw_boxes(img, truth, [index[a['category_id']] for a in anns], classes, COLOURS['truth']),
                      f'{im["file_name"]}: ground truth')]
        for (name, (_, labels, scores)), b in zip(kept.items(), boxes):
            arm = summary['arms'][name]
            row.append(titled(draw_boxes(img, b, labels, classes, COLOURS[name], scores),
                              f"{'Montage' if name == 'pretrained' else 'random init'}, {arm['epochs']} ep. "
                              f"(AP {arm['bbox_mAP']:.3f}): best {spec.max_boxes}, score >= {spec.score_thr:g}"))
        rows.append(row)
    save_rgb_png(path, panel_rows(rows))
    return path


def summary_table(summary: Dict) -> str:
    """The demo's table (markdown) and the lines under it."""
    arms, extra = summary['arms'], summary['extra_epochs']
    pre, scratch = arms['pretrained'], arms['scratch']
    length = pre['epochs']
    rows = [f"| {LABELS['pretrained']} | {length} | {summary['pretrain_cpu_seconds']:.0f} + {length} x "
            f"{pre['epoch_cpu_seconds']:.1f} = {pre['compute_cpu_seconds']:.0f} | {pre['bbox_mAP']:.3f} |",
            f"| {LABELS['scratch']} | {length} + {extra} = {scratch['epochs']} | {scratch['epochs']} x "
            f"{scratch['epoch_cpu_seconds']:.1f} = {scratch['compute_cpu_seconds']:.0f} | {scratch['bbox_mAP']:.3f} |"]
    at_length = [p['bbox_mAP'] for p in scratch['curve'] if p['epoch'] == length]
    stepped = [e for e in scratch['lr_steps_after'] if e < length]  # a step after epoch L acts from L + 1
    lr_state = f"its lr stepped after epoch {stepped[0]}" if stepped else 'its lr not yet stepped'
    return '\n'.join([
        '', f"Seed {summary['seed']}: Montage pre-training + {length} epochs against random init given the "
        f"pre-training's compute ({summary['train_images']} train, {summary['val_images']} val images)", '',
        '| backbone init | fine-tuning epochs | compute (CPU s) | box AP (val) |', '|---|---|---|---|', *rows, '',
        summary['caveat'],
        f"Compute: random init gets E = round(P / f_m) = round({summary['pretrain_cpu_seconds']:.0f} / "
        f"{pre['epoch_cpu_seconds']:.1f}) = {extra} extra epochs, P the Montage pre-training's CPU s and f_m",
        f"one Montage fine-tuning epoch's; a random-init epoch costs {scratch['epoch_cpu_seconds']:.1f} (nothing "
        f"frozen), so random init gets {summary['compute_ratio']:.2f} x Montage's compute. (The study matches",
        'the compute to the nearest epoch: E = round((P + L f_m - L f_s) / f_s), f_s a random-init epoch\'s.)',
        *([f'Random init after {length} epochs (the same run, {lr_state}): {at_length[0]:.3f}.']
          if at_length else []),
        UNITS,
        f"Wall: pre-training {summary['pretrain_seconds']:.0f} s, fine-tuning "
        f"{summary['finetune_seconds']['pretrained']:.0f} s (Montage) and {summary['finetune_seconds']['scratch']:.0f}"
        f" s (random init), all steps {summary['total_seconds']:.0f} s."])


def is_progress(line: str) -> bool:
    return 'mmengine - INFO - ' in line and any(k in line for k in PROGRESS_MARKS)


def step(title: str) -> None:
    print(f'\n==> {title}', flush=True)


def run_demo(work_dir: str, root: str, quick: bool = False, data_root: str = '') -> Dict:
    """Run every step of the demo into ``work_dir`` (see :func:`fresh_work_dir`); returns its summary
    (the keys are the README's), which ``work_dir/summary.json`` holds from the end of both trainings
    on (before the figures, so that a failed figure keeps the trainings' results)."""
    start = time.time()
    plan, demo = demo_plan(root, quick, data_root), demo_settings(root)
    part = plan.parts['init']
    backbone, length, seed = part.backbones[0], part.length, part.seeds[0]
    runner = CellRunner(plan, Results(), DemoLayout(work_dir), root, echo=is_progress, name='demo',
                        show_commands=True)
    check_data_root(runner.data_root)  # before anything is deleted
    fresh_work_dir(work_dir)
    step('1/9 demo detection dataset')
    if not runner.prepare_data():
        print(f'{runner.data_root} already there')
    step('2/9 sample store')
    if osp.isfile(osp.join(runner.store_path('context'), 'meta.json')):
        print(f'{runner.store_path("context")} already there')
    store = runner.store('context')
    config = plan.backbones[backbone].pretrain
    store_options = ('--cfg-options', f'train_dataloader.dataset.store={store}')
    step('3/9 montage pictures')
    runner.tool(('tools/analysis_tools/browse_dataset.py', config, '--out', osp.join(work_dir, 'montages'),
                 '--num', '16', *store_options))
    step('4/9 Montage pre-training with the ERF-adaptive dense head, and its backbone exported')
    pre = runner.pretrain(backbone, demo.variant, seed)
    step('5/9 ERF maps')
    pretrain_dir = runner.layout.work_dir(Cell('pretrain', backbone, demo.variant, '', 0, seed))
    with open(osp.join(pretrain_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    runner.tool(('tools/analysis_tools/visualize_erf.py', config, checkpoint, '--out',
                 osp.join(work_dir, 'erf_trained.png'), *store_options))
    runner.tool(('tools/analysis_tools/visualize_erf.py', config, '--out', osp.join(work_dir, 'erf_random.png'),
                 *store_options))
    step(f'6/9 Faster R-CNN fine-tuning from the pre-trained backbone, {length} epochs, box AP after each')
    montage = Cell('finetune', backbone, demo.variant, 'montage', length, seed)
    pretrained = dict(runner.finetune(montage), work_dir=runner.layout.work_dir(montage))
    arms = dict(pretrained=arm_summary(pretrained, plan.lr_steps, pre['cpu_seconds']))
    f_m = arms['pretrained']['epoch_cpu_seconds']
    extra = extra_epochs(pre['cpu_seconds'], f_m)
    step(f"7/9 Faster R-CNN fine-tuning from random init given the pre-training's compute: {length} + {extra} epochs "
         f'(E = round(P / f_m) = round({pre["cpu_seconds"]:.1f} / {f_m:.2f}), CPU s), box AP after each')
    random_init = Cell('finetune', backbone, '', 'scratch', length + extra, seed)
    scratch = dict(runner.finetune(random_init), work_dir=runner.layout.work_dir(random_init))
    arms['scratch'] = arm_summary(scratch, plan.lr_steps)
    summary = dict(
        seed=seed, train_images=runner.num_train_images, val_images=plan.data.demo.num_val if plan.data.demo else None,
        pretrained_bbox_mAP=pretrained['bbox_mAP'], scratch_bbox_mAP=scratch['bbox_mAP'],
        pretrain_seconds=pre['seconds'], pretrain_cpu_seconds=pre['cpu_seconds'],
        finetune_seconds=dict(pretrained=pretrained['seconds'], scratch=scratch['seconds']),
        extra_epochs=extra, arms=arms,
        compute_ratio=round(arms['scratch']['compute_cpu_seconds'] / arms['pretrained']['compute_cpu_seconds'], 3),
        provenance={key: pre[key] for key in ('code_hash', 'code', 'machine', 'finished')},
        caveat=ONE_SEED.format(seed=seed))
    write_summary(summary, work_dir)
    step('8/9 box AP against compute')
    summary['compute_curve'] = save_compute_curve(summary, osp.join(work_dir, 'compute_curve.png'))
    step('9/9 both detectors on the same val images')
    models = {name: (runner.resolved(plan.backbones[backbone].finetune[cell.init], runner.finetune_options(cell)),
                     rec['work_dir'])
              for name, cell, rec in (('pretrained', montage, pretrained), ('scratch', random_init, scratch))}
    summary['detections'] = save_detections(runner, models, summary, demo.detections,
                                            osp.join(work_dir, 'detections.png'))
    summary['total_seconds'] = round(time.time() - start, 1)
    write_summary(summary, work_dir)
    return summary


def write_summary(summary: Dict, work_dir: str) -> None:
    atomic_write_json(summary, osp.join(work_dir, 'summary.json'))
