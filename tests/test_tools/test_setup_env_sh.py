"""tools/setup_env.sh's stamp: a second run is a no-op only while mmcv's ops are still the ones the
machine wants. The venv's Python is a shell stand-in that answers the script's questions (which torch,
which ops are built, which ops this machine wants) and records every call, so no package is installed."""

import os
import os.path as osp
import subprocess

import pytest

from helpers import ROOT

STAND_IN_PYTHON = '''#!/usr/bin/env bash
echo "$*" >> "$CALLS"
case "$*" in
  *mmcv_ops.py*) [ -n "$WANTED_OPS" ] && echo "$WANTED_OPS" || exit 2 ;;  # empty: the choice fails
  *"import mmjigsaw,mmdet;"*get_compiling_cuda_version*)  # the quick check: a broken package fails it
    [ -n "$BROKEN_IMPORT" ] && exit 1; echo "$BUILT_OPS" ;;
  *get_compiling_cuda_version*) echo "$BUILT_OPS" ;;
  *"import torch; print(torch.__version__)") echo 2.13.0+cu130 ;;
esac
'''


def set_up(venv, calls, built: str, wanted: str, **env) -> subprocess.CompletedProcess:
    env = dict(os.environ, MMJIGSAW_VENV=str(venv), CALLS=str(calls), BUILT_OPS=built, WANTED_OPS=wanted, **env)
    env.setdefault('MMCV_CUDA', '')
    calls.write_text('')
    return subprocess.run(['bash', osp.join(ROOT, 'tools', 'setup_env.sh')], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.fixture
def venv(tmp_path):
    python = tmp_path / 'venv' / 'bin' / 'python'
    python.parent.mkdir(parents=True)
    python.write_text(STAND_IN_PYTHON)
    python.chmod(0o755)
    return python.parent.parent


def test_a_second_run_is_a_no_op_while_the_built_ops_are_the_wanted_ones(venv, tmp_path):
    calls = tmp_path / 'calls.txt'
    first = set_up(venv, calls, built='cpu', wanted='cpu')
    assert first.returncode == 0, first.stderr
    assert '[setup] import check' in first.stdout and (venv / '.mmjigsaw-setup').is_file()
    assert 'mmcv.txt' not in calls.read_text()  # the ops wanted are built: mmcv is left alone

    second = set_up(venv, calls, built='cpu', wanted='cpu')
    assert second.returncode == 0, second.stderr
    assert second.stdout == f'[setup] environment in {venv} is up to date\n'


def test_a_machine_that_now_wants_cuda_ops_rebuilds_mmcv_despite_the_stamp(venv, tmp_path):
    """An nvcc installed (or MMCV_CUDA=1 set) after a CPU-ops set-up: `make setup` again rebuilds mmcv."""
    calls = tmp_path / 'calls.txt'
    assert set_up(venv, calls, built='cpu', wanted='cpu').returncode == 0

    again = set_up(venv, calls, built='cpu', wanted='cuda')
    assert again.returncode == 0, again.stderr
    assert 'up to date' not in again.stdout
    assert '[setup] rebuilding mmcv: its ops are built for cpu, this machine wants cuda' in again.stdout
    (mmcv_install,) = [call for call in calls.read_text().splitlines() if call.endswith('mmcv.txt')]
    assert '--force-reinstall' in mmcv_install and '--no-cache-dir' in mmcv_install


def test_cuda_ops_serve_a_run_without_the_gpu_unless_mmcv_cuda_0(venv, tmp_path):
    """A GPU machine's venv used with CUDA_VISIBLE_DEVICES= wants CPU ops, which CUDA ops hold too."""
    calls = tmp_path / 'calls.txt'
    assert set_up(venv, calls, built='cuda', wanted='cuda').returncode == 0
    assert set_up(venv, calls, built='cuda', wanted='cpu').stdout.endswith('is up to date\n')

    forced = set_up(venv, calls, built='cuda', wanted='cpu', MMCV_CUDA='0')
    assert forced.returncode == 0, forced.stderr
    assert '[setup] rebuilding mmcv: its ops are built for cuda, this machine wants cpu' in forced.stdout


def test_broken_ops_and_a_failing_choice_are_not_up_to_date(venv, tmp_path):
    """mmcv.ops does not import (nothing built) and the choice fails (MMCV_CUDA=1 without nvcc): the
    set-up goes on to the choice, which stops it, rather than calling the environment up to date."""
    calls = tmp_path / 'calls.txt'
    assert set_up(venv, calls, built='cpu', wanted='cpu').returncode == 0
    broken = set_up(venv, calls, built='', wanted='')
    assert broken.returncode != 0 and 'up to date' not in broken.stdout
    assert '[setup] FAILED at step: mmcv 2.1.0 with ops' in broken.stderr


def test_a_package_that_no_longer_imports_is_not_up_to_date(venv, tmp_path):
    """The quick check imports mmjigsaw and mmdet in the Python start that reads mmcv's ops: where one of
    them fails (a half-removed install), the set-up runs again instead of calling it up to date."""
    calls = tmp_path / 'calls.txt'
    assert set_up(venv, calls, built='cpu', wanted='cpu').returncode == 0
    again = set_up(venv, calls, built='cpu', wanted='cpu', BROKEN_IMPORT='1')
    assert again.returncode == 0, again.stderr
    assert 'up to date' not in again.stdout and '[setup] import check' in again.stdout
