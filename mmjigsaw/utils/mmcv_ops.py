"""Which of mmcv's ops the set-up builds: CUDA ops where torch can use a GPU and a CUDA compiler of
torch's CUDA major version is there, CPU ops otherwise, with one line that says why.

Standard library only: ``tools/setup_env.sh`` runs this file with the venv's Python before mmjigsaw
is installed (``python mmjigsaw/utils/mmcv_ops.py`` prints ``cuda`` or ``cpu`` on stdout and the
reason on stderr).
"""
import os
import re
import shutil
import subprocess
import sys
from typing import NamedTuple, Optional

#: what runs on a GPU without mmcv's CUDA ops, and what does not
WITHOUT_CUDA_OPS = ('pre-training, the ERF refresh and mmdet backbones run on the GPU; detectors that use '
                    "mmcv's ops on the GPU (RoIAlign, NMS, deformable convolution: Faster/Mask R-CNN, "
                    'RetinaNet, RTMDet, YOLOX) do not')
#: how a user gets a CUDA compiler for a given CUDA version
GET_NVCC = ('install the CUDA toolkit {cuda} (NVIDIA\'s installer, or `conda install -c nvidia '
            'cuda-nvcc={cuda}`), put its bin/ on PATH and run `make setup` again')


class OpsChoice(NamedTuple):
    """``device`` is ``'cuda'`` or ``'cpu'``; ``reason`` is one line for the set-up's output."""
    device: str
    reason: str


def nvcc_release(nvcc: Optional[str] = None) -> Optional[str]:
    """The CUDA release (``'13.0'``) of ``nvcc`` (default: the one on PATH, else ``$CUDA_HOME/bin``);
    None when there is none or it does not answer."""
    if nvcc is None:
        nvcc = shutil.which('nvcc')
        home = os.environ.get('CUDA_HOME')
        if nvcc is None and home and os.access(os.path.join(home, 'bin', 'nvcc'), os.X_OK):
            nvcc = os.path.join(home, 'bin', 'nvcc')
    if nvcc is None:
        return None
    try:
        out = subprocess.run([nvcc, '--version'], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r'release (\d+\.\d+)', out)
    return match.group(1) if match else None


def choose_mmcv_ops(torch_cuda: Optional[str], gpu_visible: bool, nvcc: Optional[str],
                    force: Optional[str] = None) -> OpsChoice:
    """The ops to build.

    Args:
        torch_cuda: ``torch.version.cuda`` (None for a CPU-only torch build).
        gpu_visible: ``torch.cuda.is_available()``.
        nvcc: :func:`nvcc_release`.
        force: ``MMCV_CUDA`` (``'1'`` CUDA ops without a GPU, e.g. to build a wheel for GPU machines;
            ``'0'`` CPU ops); None decides by the rest.
    """
    if force == '0':
        return OpsChoice('cpu', "mmcv's CPU ops (MMCV_CUDA=0)")
    if torch_cuda is None:
        why = 'torch is a CPU-only build'
        if force == '1':
            raise ValueError(f'MMCV_CUDA=1, but {why}: install a CUDA build of torch first')
        return OpsChoice('cpu', f"mmcv's CPU ops: {why}")
    matching = nvcc is not None and nvcc.split('.')[0] == torch_cuda.split('.')[0]
    if not gpu_visible and force != '1':
        return OpsChoice('cpu', f"mmcv's CPU ops: torch (CUDA {torch_cuda}) sees no GPU here; "
                                'MMCV_CUDA=1 builds the CUDA ops anyway')
    if not matching:
        found = f'nvcc {nvcc}' if nvcc else 'no nvcc'
        why = f"mmcv's CPU ops only: torch uses CUDA {torch_cuda} and {found} matches it"
        if force == '1':
            raise ValueError(f'MMCV_CUDA=1, but {why}; ' + GET_NVCC.format(cuda=torch_cuda))
        return OpsChoice('cpu', f'{why}. {WITHOUT_CUDA_OPS}. For them: ' + GET_NVCC.format(cuda=torch_cuda))
    return OpsChoice('cuda', f"mmcv's CUDA ops: torch CUDA {torch_cuda}, nvcc {nvcc}"
                             + ('' if gpu_visible else ' (MMCV_CUDA=1; no GPU here)'))


def main() -> int:
    import torch  # the venv's; this file runs before mmjigsaw is installed
    try:
        choice = choose_mmcv_ops(torch.version.cuda, torch.cuda.is_available(), nvcc_release(),
                                 os.environ.get('MMCV_CUDA') or None)
    except ValueError as err:
        print(f'[setup] {err}', file=sys.stderr)
        return 2
    print(f'[setup] {choice.reason}', file=sys.stderr)
    print(choice.device)
    return 0


if __name__ == '__main__':
    sys.exit(main())
