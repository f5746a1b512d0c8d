"""Where a run came from: the code version it ran at and the machine the report was written on."""
import os
import platform
import subprocess


def code_version(root: str) -> str:
    """The commit of the repository at ``root``, with '+changes' when the code or configs differ from
    it: a run is comparable with the study's other runs only when this matches theirs."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        changes = subprocess.run(['git', 'status', '--porcelain', '--', 'mmjigsaw', 'configs', 'tools'],
                                 cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return commit + ('+changes' if changes else '')


def environment() -> str:
    """Cores and CPU model, Python and the versions of torch and the OpenMMLab stack."""
    import mmcv
    import mmdet
    import mmengine
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return (f'{os.cpu_count()} x {cpu}; Python {platform.python_version()}, torch {torch.__version__}, '
            f'mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}')
