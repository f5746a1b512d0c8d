"""Shrinking any pre-training config to a seconds-long CPU run on the tiny test store."""
import os.path as osp
from typing import Dict, Optional

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from conftest import ROOT

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
    cfg.work_dir = str(work_dir)
    cfg.model.head.num_classes = DEMO_CLASSES
    if backbone:
        cfg.model.head.in_channels = None  # a narrowed backbone has fewer channels: inferred
    loader = cfg.train_dataloader
    loader.update(batch_size=batch_size, num_workers=0, persistent_workers=False, pin_memory=False)
    loader.dataset.update(store=store, num_montages=max_iters * batch_size)
    if template:
        cfg.model.head.template = template
        cfg.train_dataloader.dataset.pipeline[0].template = template
    cfg.train_cfg.max_iters = max_iters
    cfg.custom_hooks = [dict(type='ERFUpdateHook', interval=max_iters, num_images=1, save_heatmaps=False)]
    cfg.default_hooks.logger.interval = 1
    cfg.default_hooks.checkpoint.interval = max_iters
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


@pytest.fixture
def one_torch_thread():
    """Run a test's tiny models on one intra-op thread: on 2 busy cores, two OpenMP threads wait on
    each other and a small convolution runs some 30 times slower than on one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
