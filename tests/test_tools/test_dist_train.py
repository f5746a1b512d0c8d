"""tools/dist_train.sh really trains with two gloo processes on a CPU machine."""
import os
import socket
import subprocess
import sys

import pytest

from helpers import DEMO_PRETRAIN_CONFIG, ROOT, tiny_pretrain_options

pytestmark = pytest.mark.slow


def dist_train(store, work_dir, *options):
    """``bash tools/dist_train.sh`` of the tiny demo pre-training with two gloo processes."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PORT=str(port), PYTHON=sys.executable)
    return subprocess.run(['bash', 'tools/dist_train.sh', DEMO_PRETRAIN_CONFIG, '2', '--work-dir', str(work_dir),
                           '--cfg-options', *tiny_pretrain_options(store, 2, ckpt_interval=2), *options],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def test_dist_train_sh_trains_with_two_processes(demo_store, tmp_path):
    result = dist_train(demo_store, tmp_path)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Distributed launcher: pytorch' in log
    assert (tmp_path / 'iter_2.pth').exists()
    assert log.count('ERFUpdateHook: iter 0') >= 1 and 'x 2 ranks' in log


@pytest.mark.parametrize('num_classes', [6, 8])
def test_a_head_with_the_wrong_class_count_stops_a_ddp_run(demo_store, tmp_path, num_classes):
    """The model is DDP-wrapped here: the check must look inside the wrapper."""
    result = dist_train(demo_store, tmp_path, f'model.head.num_classes={num_classes}')
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines()
             if f'model.head.num_classes={num_classes}' in line and '7 object classes' in line]
    assert lines, result.stderr[-3000:]
    assert not (tmp_path / 'iter_2.pth').exists()
