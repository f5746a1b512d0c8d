"""What the tests share besides fixtures: paths, small COCO datasets, tiny training runs, crafted
checkpoints (conftest.py holds the fixtures only)."""
import json
import os
import os.path as osp
import pickle
import uuid
from typing import Dict, Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmjigsaw.study.processes import ToolRun
from mmjigsaw.study.processes import run_tool as study_run_tool

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_PRETRAIN_CONFIG = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py')
#: the demo's (and the study's) two detector arms: the Montage backbone and random init
DEMO_MONTAGE_DETECTOR_CONFIG = osp.join(ROOT, 'configs', 'det', 'faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py')
DEMO_SCRATCH_DETECTOR_CONFIG = osp.join(ROOT, 'configs', 'det', 'faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py')
README = osp.join(ROOT, 'README.md')


def readme_section(title: str) -> str:
    """The README's ``## title`` section, heading included, up to the next ``## `` heading."""
    text = open(README).read()
    start = text.index(f'## {title}\n')
    end = text.find('\n## ', start + 1)
    return text[start:end if end >= 0 else None]


def tiny_overrides(store: str, max_iters: int, batch_size: int = 4, erf_interval: int = 2,
                   ckpt_interval: int = 1000) -> Dict:
    """The one shrinking of a pre-training config to a seconds-long CPU run (dotted keys -> values):
    ``max_iters`` iterations of ``batch_size`` montages from ``store`` in the main process, the ERF
    refreshed every ``erf_interval`` iterations from one montage, a checkpoint every ``ckpt_interval``."""
    return {'train_dataloader.dataset.store': store, 'train_dataloader.batch_size': batch_size,
            'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False,
            'train_cfg.max_iters': max_iters, 'custom_hooks.0.interval': erf_interval,
            'custom_hooks.0.num_images': 1, 'default_hooks.logger.interval': 1,
            'default_hooks.checkpoint.interval': ckpt_interval}


#: the demo pre-training's backbone narrowed further for the tests (ResNet-18 at 8 base channels)
TINY_DEMO_BACKBONE = {'model.backbone.base_channels': 8}


def tiny_pretrain_options(store: str, max_iters: int, erf_interval: int = 2, ckpt_interval: int = 1000):
    """:func:`tiny_overrides` of the demo pre-training config as ``--cfg-options`` for a tool."""
    overrides = {**TINY_DEMO_BACKBONE, **tiny_overrides(store, max_iters, 4, erf_interval, ckpt_interval)}
    return [f'{key}={value}' for key, value in overrides.items()]


def in_process_run(cfg: Config, work_dir) -> None:
    """Point ``cfg`` at ``work_dir`` under an experiment name of its own. mmengine names a Runner's
    Visualizer after the config file and the second it started, and hands a second Runner built in
    the same second that Visualizer (its log dir included): the second run's curves and pictures
    would land in the first run's work dir."""
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'{osp.basename(str(work_dir))}-{uuid.uuid4().hex[:8]}'


def run_tool(*args, env=None, timeout=600, cwd=ROOT) -> ToolRun:
    """Run a script with this Python in ``cwd``, by default the repository root (the package's
    ``run_tool``); returns its exit status and captured stdout and stderr, whatever the status."""
    return study_run_tool(args, cwd=str(cwd), env=env, timeout=timeout, capture=True, check=False)


def tiny_pretrain_cfg(store: str, work_dir: str, max_iters: int, **kwargs):
    """The demo pre-training Config shrunk by :func:`tiny_pretrain_options`, for in-process runs."""
    cfg = Config.fromfile(DEMO_PRETRAIN_CONFIG)
    cfg.merge_from_dict({**TINY_DEMO_BACKBONE, **tiny_overrides(store, max_iters, **kwargs)})
    in_process_run(cfg, work_dir)
    return cfg


class _WritesAFile:
    """Unpickling this creates a file: what a malicious checkpoint would do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def crafted_checkpoint(folder):
    """A ``.pth`` whose unpickling would create ``folder/pwned``; returns (checkpoint, marker) paths."""
    marker, bad = osp.join(folder, 'pwned'), osp.join(folder, 'bad.pth')
    with open(bad, 'wb') as f:
        pickle.dump({'state_dict': {'backbone.conv1.weight': _WritesAFile(marker)}, 'meta': {}}, f)
    return bad, marker


def write_coco(root: str, images, categories=('a', 'b')):
    """A small COCO dataset: ``images`` is a list of (height, width, [[x, y, w, h, category_id], ...]).

    Images are random noise JPEGs under ``root/img``; returns (ann_file, img_dir).
    """
    rng = np.random.default_rng(0)
    img_dir = osp.join(root, 'img')
    os.makedirs(img_dir, exist_ok=True)
    coco = dict(images=[], annotations=[], categories=[dict(id=i + 1, name=n) for i, n in enumerate(categories)])
    for image_id, (h, w, boxes) in enumerate(images, start=1):
        name = f'{image_id}.jpg'
        cv2.imwrite(osp.join(img_dir, name), rng.integers(0, 255, (h, w, 3), dtype=np.uint8))
        coco['images'].append(dict(id=image_id, file_name=name, width=w, height=h))
        for x, y, bw, bh, cat in boxes:
            coco['annotations'].append(dict(id=len(coco['annotations']) + 1, image_id=image_id, bbox=[x, y, bw, bh],
                                            category_id=cat, area=bw * bh, iscrowd=0))
    ann_file = osp.join(root, 'ann.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)
    return ann_file, img_dir


#: the demo store's object classes (conftest's make_demo_dataset)
DEMO_CLASSES = 7


def tiny_run_cfg(config: str, store: str, work_dir: str, max_iters: int = 2, batch_size: int = 2,
                 backbone: Optional[Dict] = None, template: Optional[Dict] = None) -> Config:
    """``config`` (a path under configs/) trained for ``max_iters`` iterations of ``batch_size``
    montages from ``store``, in-process, with one ERF refresh (before the first iteration) and one
    checkpoint at the end; ``backbone`` overrides merge into ``model.backbone`` (e.g. narrower), and
    ``template`` replaces the montage template of the head and the assembly (e.g. a 128 canvas cut at
    32: a 4 x 4 map at stride 32, a third of the 224 canvas's pixels and 16 ERF positions, not 49)."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    if backbone:
        cfg.merge_from_dict(dict(model=dict(backbone=backbone)))
    in_process_run(cfg, work_dir)
    cfg.merge_from_dict(tiny_overrides(store, max_iters, batch_size, erf_interval=max_iters, ckpt_interval=max_iters))
    cfg.model.head.num_classes = DEMO_CLASSES
    cfg.train_dataloader.update(pin_memory=False)
    cfg.train_dataloader.dataset.num_montages = max_iters * batch_size
    if template:
        cfg.model.head.template = template
        cfg.train_dataloader.dataset.pipeline[0].template = template
    cfg.custom_hooks = cfg.custom_hooks[:1]  # the ERF refresh only
    cfg.visualizer.vis_backends = [dict(type='LocalVisBackend')]
    cfg.env_cfg.cudnn_benchmark = False
    return cfg


def tiny_pretrain(config: str, store: str, work_dir: str, **kwargs):
    """Train :func:`tiny_run_cfg`; returns (runner, path of the last checkpoint)."""
    cfg = tiny_run_cfg(config, store, work_dir, **kwargs)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return runner, osp.join(str(work_dir), f'iter_{cfg.train_cfg.max_iters}.pth')


def assert_erf_table_refreshed(table: torch.Tensor) -> None:
    """A refreshed (P, 4) table: rows sum to 1, own weight at least tau = 0.7, and the ERF spread
    some weight onto other regions (the initial block-wise table is one-hot)."""
    torch.testing.assert_close(table.sum(1), torch.ones(len(table)), atol=1e-5, rtol=0)
    assert (table.max(1).values >= 0.7 - 1e-6).all()
    assert (table.max(1).values < 1 - 1e-4).any(), 'the table is still the block-wise one'


def pretrained_weights(backbone: Dict) -> Optional[str]:
    """The file a detector config's backbone starts from, ``None`` for a random initialisation: the
    ``checkpoint`` of an ``init_cfg=dict(type='Pretrained')`` (mmdet's backbones) or the ``checkpoint``
    argument of mmjigsaw's TimmBackbone / TorchvisionBackbone, whose init_weights runs no init_cfg."""
    init = backbone.get('init_cfg')
    if init is not None:
        assert init['type'] == 'Pretrained' and not backbone.get('checkpoint'), backbone
        return init['checkpoint']
    return backbone.get('checkpoint')
