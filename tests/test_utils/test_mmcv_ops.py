"""The set-up's choice of mmcv's ops: CUDA ops only where torch can use a GPU and an nvcc of torch's
CUDA major version is there; otherwise CPU ops and one line that says why and what will not run."""
import os
import stat
import subprocess
import sys

import pytest

from mmjigsaw.utils import mmcv_ops
from mmjigsaw.utils.mmcv_ops import choose_mmcv_ops, nvcc_release

NVCC_OUTPUT = '''nvcc: NVIDIA (R) Cuda compiler driver
Copyright (c) 2005-2025 NVIDIA Corporation
Cuda compilation tools, release {release}, V{release}.88
'''


def fake_nvcc(folder, release: str) -> str:
    """An executable ``nvcc`` in ``folder`` that answers ``--version`` like the real one."""
    path = os.path.join(folder, 'nvcc')
    lines = NVCC_OUTPUT.format(release=release).splitlines()
    with open(path, 'w') as f:  # shell builtins only: the tests run it with a PATH that has nothing else
        f.write('#!/bin/sh\n' + ''.join(f"echo '{line}'\n" for line in lines))
    os.chmod(path, os.stat(path).st_mode | stat.S_IEXEC)
    return path


class TestNvccRelease:

    def test_the_release_of_the_nvcc_on_path(self, tmp_path, monkeypatch):
        fake_nvcc(str(tmp_path), '12.8')
        monkeypatch.setenv('PATH', f'{tmp_path}{os.pathsep}{os.environ["PATH"]}')
        assert nvcc_release() == '12.8'

    def test_none_without_nvcc(self, tmp_path, monkeypatch):
        monkeypatch.setenv('PATH', str(tmp_path))  # an empty folder: no nvcc
        monkeypatch.delenv('CUDA_HOME', raising=False)
        assert nvcc_release() is None

    def test_cuda_home_when_path_has_none(self, tmp_path, monkeypatch):
        (tmp_path / 'bin').mkdir()
        fake_nvcc(str(tmp_path / 'bin'), '13.0')
        monkeypatch.setenv('PATH', str(tmp_path / 'empty'))
        monkeypatch.setenv('CUDA_HOME', str(tmp_path))
        assert nvcc_release() == '13.0'


class TestChoice:

    def test_gpu_and_matching_nvcc_build_cuda_ops(self):
        assert choose_mmcv_ops('13.0', True, '13.0').device == 'cuda'
        assert choose_mmcv_ops('12.8', True, '12.4').device == 'cuda'  # same major: compatible

    def test_gpu_without_a_matching_nvcc_builds_cpu_ops_and_says_what_will_not_run(self):
        for nvcc, found in ((None, 'no nvcc'), ('12.4', 'nvcc 12.4')):
            choice = choose_mmcv_ops('13.0', True, nvcc)
            assert choice.device == 'cpu'
            assert found in choice.reason and 'CUDA 13.0' in choice.reason
            assert 'Faster/Mask R-CNN' in choice.reason and 'cuda-nvcc=13.0' in choice.reason
            assert '\n' not in choice.reason

    def test_no_gpu_builds_cpu_ops_even_with_nvcc(self):
        choice = choose_mmcv_ops('13.0', False, '13.0')
        assert choice.device == 'cpu' and 'sees no GPU' in choice.reason

    def test_a_cpu_torch_builds_cpu_ops(self):
        choice = choose_mmcv_ops(None, False, '13.0')
        assert choice == ('cpu', "mmcv's CPU ops: torch is a CPU-only build")

    def test_mmcv_cuda_forces_either_way(self):
        assert choose_mmcv_ops('13.0', False, '13.0', force='1').device == 'cuda'
        assert choose_mmcv_ops('13.0', True, '13.0', force='0').device == 'cpu'
        with pytest.raises(ValueError, match='CPU-only build'):
            choose_mmcv_ops(None, False, '13.0', force='1')
        with pytest.raises(ValueError, match='no nvcc'):
            choose_mmcv_ops('13.0', False, None, force='1')


@pytest.mark.slow  # starts a process that imports torch
@pytest.mark.parametrize('release', ['0.1', None])
def test_the_set_up_runs_it_as_a_script_with_this_machines_torch(tmp_path, release):
    """What ``tools/setup_env.sh`` runs: stdout is the choice alone, stderr the one line."""
    import torch
    env = dict(os.environ, PATH=f'{tmp_path}{os.pathsep}{os.environ["PATH"]}')
    env.pop('MMCV_CUDA', None)
    if release:
        fake_nvcc(str(tmp_path), release)
    else:
        env['PATH'] = os.path.dirname(sys.executable)  # the venv's python, no nvcc
        env.pop('CUDA_HOME', None)
    result = subprocess.run([sys.executable, mmcv_ops.__file__], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    expected = choose_mmcv_ops(torch.version.cuda, torch.cuda.is_available(), release)
    assert result.stdout == f'{expected.device}\n'
    assert result.stderr == f'[setup] {expected.reason}\n'
