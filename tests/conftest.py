"""Shared fixtures: a small demo dataset and its sample store, made once per test session."""
import os.path as osp

import pytest

from mmjigsaw.datasets import build_sample_store
from mmjigsaw.datasets.demo import make_demo_dataset
from mmjigsaw.engine import allow_mmengine_checkpoints
from mmjigsaw.utils import register_all_modules

register_all_modules()
allow_mmengine_checkpoints()  # the in-process Runners below save and resume checkpoints


@pytest.fixture(scope='session')
def demo_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('demo'))
    make_demo_dataset(root, num_train=16, num_val=4, seed=3)
    return root


@pytest.fixture(scope='session')
def demo_store(demo_root, tmp_path_factory):
    out = osp.join(str(tmp_path_factory.mktemp('store')), 'store')
    build_sample_store(osp.join(demo_root, 'annotations', 'instances_train.json'),
                       osp.join(demo_root, 'train'), out, seed=0)
    return out


def write_coco(root: str, images, categories=('a', 'b')):
    """A small COCO dataset: ``images`` is a list of (height, width, [[x, y, w, h, category_id], ...]).

    Images are random noise JPEGs under ``root/img``; returns (ann_file, img_dir).
    """
    import json
    import os

    import cv2
    import numpy as np
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


@pytest.fixture
def coco_factory(tmp_path):
    return lambda images, categories=('a', 'b'): write_coco(str(tmp_path), images, categories)


ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_PRETRAIN_CONFIG = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py')


def tiny_pretrain_options(store: str, max_iters: int, erf_interval: int = 2, ckpt_interval: int = 1000):
    """``--cfg-options`` that shrink the demo pre-training config to a seconds-long CPU run."""
    return [f'train_dataloader.dataset.store={store}', 'model.backbone.base_channels=8',
            'model.head.in_channels=64', 'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False', f'train_cfg.max_iters={max_iters}',
            f'custom_hooks.0.interval={erf_interval}', 'custom_hooks.0.num_images=1',
            'default_hooks.logger.interval=1', f'default_hooks.checkpoint.interval={ckpt_interval}']


def run_tool(*args, env=None, timeout=600):
    """Run a script of this repository with this Python; returns the CompletedProcess."""
    import subprocess
    import sys
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, env=env,
                          timeout=timeout)


def tiny_pretrain_cfg(store: str, work_dir: str, max_iters: int, **kwargs):
    """The demo pre-training Config shrunk by :func:`tiny_pretrain_options`, for in-process runs."""
    from mmengine.config import Config, DictAction
    cfg = Config.fromfile(DEMO_PRETRAIN_CONFIG)
    options = (o.split('=', 1) for o in tiny_pretrain_options(store, max_iters, **kwargs))
    cfg.merge_from_dict({key: DictAction._parse_iterable(value) for key, value in options})
    cfg.work_dir = str(work_dir)
    return cfg


class _WritesAFile:
    """Unpickling this creates a file: what a malicious checkpoint would do."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


def crafted_checkpoint(folder):
    """A ``.pth`` whose unpickling would create ``folder/pwned``; returns (checkpoint, marker) paths."""
    import pickle
    marker, bad = osp.join(folder, 'pwned'), osp.join(folder, 'bad.pth')
    with open(bad, 'wb') as f:
        pickle.dump({'state_dict': {'backbone.conv1.weight': _WritesAFile(marker)}, 'meta': {}}, f)
    return bad, marker
