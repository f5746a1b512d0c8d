"""Running this repository's tools as child processes and reading what their runs logged.

Used by the jobs that chain several trainings: ``tools/run_demo.py`` and
``tools/analysis_tools/reproduce.py``.
"""
import glob
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Sequence

from .errors import DataError

#: The repository root: tools run with it as their working directory.
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


class ToolFailed(RuntimeError):
    """A tool exited non-zero; the message names the command and its log."""


class Timing(NamedTuple):
    """What a tool run cost: wall time and CPU time (user + system, its child processes included), s,
    and the machine's 1-minute load average when it ended (above the core count: it shared the
    machine, and both times are inflated)."""
    wall: float
    cpu: float
    load: float


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_tool(args: Sequence[str], log: Optional[str] = None,
             echo: Optional[Callable[[str], bool]] = None, launcher: Sequence[str] = ()) -> Timing:
    """Run ``python ARGS`` (or ``LAUNCHER ARGS``) from the repository root.

    Args:
        args: the tool and its arguments, e.g. ``('tools/train.py', CONFIG, ...)``.
        log: file that receives the whole output; without it everything goes to the terminal.
        echo: with ``log``, which lines the terminal shows as well.
        launcher: the command before ``args``; by default this Python (e.g. ``('bash',
            'tools/dist_train.sh')`` puts the config first, so pass the tool's arguments only).

    Returns:
        Its wall and CPU time. CPU time counts every process of the run (data loader workers too)
        and hardly changes when other work shares the machine; wall time does.
    """
    cmd = [*(launcher or (sys.executable,)), *args]
    start, start_cpu = time.time(), _children_cpu_seconds()
    if log:
        os.makedirs(osp.dirname(osp.abspath(log)), exist_ok=True)
    with subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        with open(log, 'w') if log else open(os.devnull, 'w') as sink:
            for line in proc.stdout:
                sink.write(line)
                if log is None or (echo is not None and echo(line)):
                    print(line, end='', flush=True)
    if proc.returncode:
        raise ToolFailed(f'exit {proc.returncode}: {" ".join(cmd)}' + (f' (log: {log})' if log else ''))
    return Timing(time.time() - start, _children_cpu_seconds() - start_cpu, os.getloadavg()[0])


def logged_scalars(work_dir: str) -> List[Dict]:
    """Every record mmengine's LocalVisBackend logged under ``work_dir`` (``*/vis_data/scalars.json``),
    oldest run first."""
    records = []
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            records += [json.loads(line) for line in f if line.strip()]
    return records


def last_logged(work_dir: str, key: str) -> float:
    """The last value of ``key`` (e.g. ``'coco/bbox_mAP'``) logged under ``work_dir``."""
    values = [r[key] for r in logged_scalars(work_dir) if key in r]
    if not values:
        raise DataError(f'no {key} logged under {work_dir}')
    return values[-1]


def training_seconds(work_dir: str, iterations: int) -> float:
    """Seconds spent in ``iterations`` training iterations (data wait included; start-up and
    evaluation not): the mean of the logged iteration times times ``iterations``."""
    times = [r['time'] for r in logged_scalars(work_dir) if 'time' in r and 'loss' in r]
    if not times:
        raise DataError(f'no training iteration times logged under {work_dir}')
    return sum(times) / len(times) * iterations
