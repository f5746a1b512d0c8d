"""SIGKILL at awkward moments never loses work: extraction restarts cleanly, training resumes exactly."""
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from mmjigsaw.datasets import SampleStore
from mmjigsaw.datasets.demo import make_demo_dataset
from helpers import DEMO_PRETRAIN_CONFIG, ROOT, run_tool, tiny_pretrain_options


def _files(store):
    return {name: open(osp.join(store, name), 'rb').read() for name in ('index.npy', 'pixels.bin', 'meta.json')}


@pytest.mark.slow
def test_extraction_killed_at_random_moments_then_rerun_gives_the_same_store(tmp_path):
    make_demo_dataset(str(tmp_path / 'data'), num_train=60, num_val=1, seed=2)
    args = ['tools/extract_samples.py', '--ann', str(tmp_path / 'data/annotations/instances_train.json'),
            '--img-dir', str(tmp_path / 'data/train'), '--workers', '2']
    reference = str(tmp_path / 'reference')
    assert run_tool(*args, '--out', reference).returncode == 0
    out = str(tmp_path / 'store')
    rng = np.random.default_rng(0)
    for delay in rng.uniform(0, 0.4, 3):
        proc = subprocess.Popen([sys.executable, *args, '--out', out], cwd=ROOT, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + 60
        while not osp.exists(out + '.incomplete') and proc.poll() is None and time.time() < deadline:
            time.sleep(0.01)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        # never a store under the final name unless it is complete
        if osp.exists(out):
            SampleStore(out).verify()
            break
    if not osp.exists(out):
        result = run_tool(*args, '--out', out)
        assert result.returncode == 0, result.stderr
    SampleStore(out).verify()
    assert not osp.exists(out + '.incomplete')
    ref, got = _files(reference), _files(out)
    assert ref['index.npy'] == got['index.npy'] and ref['pixels.bin'] == got['pixels.bin']


def _options(store):
    return ['--cfg-options', *tiny_pretrain_options(store, 8, erf_interval=2, ckpt_interval=2)]


@pytest.fixture(scope='module')
def uninterrupted(demo_store, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('full')
    result = run_tool('tools/train.py', DEMO_PRETRAIN_CONFIG, '--work-dir', str(work_dir), *_options(demo_store))
    assert result.returncode == 0, result.stderr[-2000:]
    return torch.load(work_dir / 'iter_8.pth', weights_only=True)


@pytest.mark.slow
@pytest.mark.parametrize('trigger', ['Iter(train) [5/8]', 'Saving checkpoint at 4 iterations'])
def test_training_killed_then_resumed_ends_like_an_uninterrupted_run(demo_store, uninterrupted, tmp_path, trigger):
    """The second trigger kills right after a checkpoint, when the ERF refresh of iteration 4 runs."""
    cmd = [sys.executable, 'tools/train.py', DEMO_PRETRAIN_CONFIG, '--work-dir', str(tmp_path), *_options(demo_store)]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    for line in proc.stdout:
        if trigger in line:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert not (tmp_path / 'iter_8.pth').exists()
    result = run_tool(*cmd[1:4], str(tmp_path), '--resume', *_options(demo_store))
    assert result.returncode == 0, result.stderr[-2000:]
    resumed = torch.load(tmp_path / 'iter_8.pth', weights_only=True)
    assert resumed['meta']['iter'] == 8
    for key, value in uninterrupted['state_dict'].items():
        assert torch.equal(value, resumed['state_dict'][key]), key
