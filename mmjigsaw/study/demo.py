"""The demo (``make demo``): a one-seed study of the method against random init, run by the study's runner.

Its plan is the reproduction study's (``configs/reproduce/reproduce_demo.py``) cut to the ResNet-18
backbone, the method's pre-training and one seed at the initialisation part's length; it writes where
the demo configs read (``WORK_DIR/backbone.pth``, ``DATA/store_train``), keeps its checkpoints and adds
montage pictures and ERF maps.
"""
import os
import os.path as osp
import shutil
import time
from dataclasses import replace
from typing import Dict

from .cells import Cell
from .plan import InitPart, StudyPlan, load_study
from .results import Results
from .runner import CellRunner, StudyLayout

DEMO_STUDY = 'configs/reproduce/reproduce_demo.py'
BACKBONE, VARIANT, SEED = 'r18', 'erf', 0
#: Lines of a training log that the terminal shows (the whole log goes to a file).
PROGRESS_MARKS = ('Iter(train)', 'Epoch(train)', 'Epoch(val)', 'ERFUpdateHook', 'bbox_mAP_copypaste')
LABELS = dict(pretrained='Montage pre-trained (frozen stem and BN)',
              scratch='random init (every layer trains, BN in train mode)')


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


def demo_plan(data_root: str, root: str, quick: bool = False) -> StudyPlan:
    """The study's plan cut to the demo, its data under ``data_root`` and its store where the demo
    pre-training config reads it (``quick``: the study's tiny data and schedules, for the tests)."""
    plan = load_study(osp.join(root, DEMO_STUDY), quick=quick, root=root)
    length = plan.parts['init'].length
    return replace(plan, data=replace(plan.data, root=data_root),
                   stores=dict(context=replace(plan.stores['context'], folder='store_train')),
                   parts=dict(init=InitPart((BACKBONE, ), length, (SEED, ))))


def is_progress(line: str) -> bool:
    return 'mmengine - INFO - ' in line and any(k in line for k in PROGRESS_MARKS)


def step(title: str) -> None:
    print(f'\n==> {title}', flush=True)


def run_demo(work_dir: str, data_root: str, root: str, quick: bool = False) -> Dict:
    """Run every step of the demo into ``work_dir`` (emptied first); returns its summary (box AP of
    both detectors, 0-1, and wall seconds)."""
    start = time.time()
    plan = demo_plan(data_root, root, quick)
    runner = CellRunner(plan, Results(), DemoLayout(work_dir), root, echo=is_progress, name='demo',
                        show_commands=True)
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    step('1/7 demo detection dataset')
    if not runner.prepare_data():
        print(f'{runner.data_root} already there')
    step('2/7 sample store')
    if osp.isfile(osp.join(runner.store_path('context'), 'meta.json')):
        print(f'{runner.store_path("context")} already there')
    store = runner.store('context')
    config, store_option = plan.backbones[BACKBONE].pretrain, f'train_dataloader.dataset.store={store}'
    step('3/7 montage pictures')
    runner.tool(('tools/analysis_tools/browse_dataset.py', config, '--out', osp.join(work_dir, 'montages'),
                 '--num', '16', '--cfg-options', store_option))
    step('4/7 Montage pre-training with the ERF-adaptive dense head, and its backbone exported')
    pre = runner.pretrain(BACKBONE, VARIANT, SEED)
    step('5/7 ERF maps')
    pretrain_dir = runner.layout.work_dir(Cell('pretrain', BACKBONE, VARIANT, '', 0, SEED))
    with open(osp.join(pretrain_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    runner.tool(('tools/analysis_tools/visualize_erf.py', config, checkpoint, '--out',
                 osp.join(work_dir, 'erf_trained.png'), '--cfg-options', store_option))
    runner.tool(('tools/analysis_tools/visualize_erf.py', config, '--out', osp.join(work_dir, 'erf_random.png'),
                 '--cfg-options', store_option))
    detectors: Dict[str, Dict] = {}
    cells = [s.run for s in plan.steps(['init']) if not s.run.needs_calibration]  # Montage, random init
    for i, cell in enumerate(cells):
        name = 'pretrained' if cell.init == 'montage' else cell.init
        step(f'{6 + i}/{5 + len(cells)} Faster R-CNN fine-tuning from the {name} backbone')
        detectors[name] = runner.finetune(cell)
    return dict(pretrained_bbox_mAP=detectors['pretrained']['bbox_mAP'],
                scratch_bbox_mAP=detectors['scratch']['bbox_mAP'], pretrain_seconds=pre['seconds'],
                finetune_seconds={name: rec['seconds'] for name, rec in detectors.items()},
                total_seconds=round(time.time() - start, 1))


def summary_table(summary: Dict) -> str:
    """The demo's table (markdown) and the lines under it."""
    rows = [f'| {LABELS[name]} | {summary[f"{name}_bbox_mAP"]:.3f} | {summary["finetune_seconds"][name]:.0f} |'
            for name in ('pretrained', 'scratch')]
    return '\n'.join(['', '| backbone init | box AP (val) | fine-tune (s) |', '|---|---|---|', *rows,
                      f'\nMontage pre-training: {summary["pretrain_seconds"]:.0f} s; all steps: '
                      f'{summary["total_seconds"]:.0f} s',
                      'Same fine-tuning schedule, one seed. The pre-training costs extra compute: the comparison at '
                      'equal compute, with seeds and several lengths, is in docs/reproduction.md '
                      '(tools/analysis_tools/reproduce.py).'])
