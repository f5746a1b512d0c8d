"""Fixtures: a small demo dataset and its sample store (made once per test session), small COCO
datasets, one torch thread. Shared helpers live in helpers.py."""
import os.path as osp
import uuid

import pytest
import torch
from mmengine.registry import DefaultScope

from mmjigsaw.apis import register_all_modules
from mmjigsaw.datasets import build_sample_store, make_demo_dataset
from helpers import write_coco

register_all_modules()  # also allow-lists what the in-process Runners' checkpoints hold


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


@pytest.fixture
def coco_factory(tmp_path):
    return lambda images, categories=('a', 'b'): write_coco(str(tmp_path), images, categories)


@pytest.fixture
def one_torch_thread():
    """Run a test's tiny models on one intra-op thread: on 2 busy cores, two OpenMP threads wait on
    each other and a small convolution runs some 30 times slower than on one."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(autouse=True)
def default_scope_given_back():
    """Each test ends in the default scope it started in: a Runner built in-process from an mmdet config
    makes ``mmdet`` the default scope of the whole process, and later plain-name builds from mmjigsaw's
    registries would look in mmdet's."""
    before = DefaultScope.get_current_instance()
    yield
    after = DefaultScope.get_current_instance()
    if before is not None and (after is None or after.scope_name != before.scope_name):
        DefaultScope.get_instance(f'restored-{uuid.uuid4().hex[:8]}', scope_name=before.scope_name)
