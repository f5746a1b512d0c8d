"""tools/dist_train.sh really trains with two gloo processes on a CPU machine."""
import socket

from conftest import DEMO_PRETRAIN_CONFIG, ROOT, tiny_pretrain_options


def test_dist_train_sh_trains_with_two_processes(demo_store, tmp_path):
    import os
    import subprocess
    import sys
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PORT=str(port), PYTHON=sys.executable)
    result = subprocess.run(['bash', 'tools/dist_train.sh', DEMO_PRETRAIN_CONFIG, '2', '--work-dir', str(tmp_path),
                             '--cfg-options', *tiny_pretrain_options(demo_store, 2, ckpt_interval=2)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    assert 'GPU number: 2' in log  # mmengine's name for the world size
    assert 'Distributed launcher: pytorch' in log
    assert (tmp_path / 'iter_2.pth').exists()
    assert log.count('ERFUpdateHook: iter 0') >= 1 and 'x 2 ranks' in log
