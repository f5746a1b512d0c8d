"""Running a tool of the repository as a child process: the one ``run_tool`` of the package and the tests."""
import os
import os.path as osp
import resource
import subprocess
import sys
import threading
import time
from typing import Callable, Dict, NamedTuple, Optional, Sequence


class ToolFailed(RuntimeError):
    """A tool exited non-zero (the message names the command and its log), or a run failed in what it
    gave (a fine-tuning whose loss diverged: the message says where)."""


class ToolRun(NamedTuple):
    """A finished tool run.

    Attributes:
        returncode: its exit status.
        stdout, stderr: its output with ``capture=True``, else ''.
        wall: wall time, s.
        cpu: CPU time (user + system) of every process of the run, data workers included, s; it
            hardly changes when other work shares the machine, wall time does.
        load: the machine's 1-minute load average when it ended (above the core count: it shared
            the machine, and both times are inflated).
    """
    returncode: int
    stdout: str
    stderr: str
    wall: float
    cpu: float
    load: float


def _children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stream(proc: subprocess.Popen, log: Optional[str], echo: Optional[Callable[[str], bool]]) -> None:
    """Copy the merged output line by line to ``log`` (and the lines ``echo`` picks to the terminal),
    or all of it to the terminal without a log."""
    with open(log, 'w') if log else open(os.devnull, 'w') as sink:
        for line in proc.stdout:
            sink.write(line)
            if log is None or (echo is not None and echo(line)):
                print(line, end='', flush=True)


def run_tool(args: Sequence[str], log: Optional[str] = None, echo: Optional[Callable[[str], bool]] = None,
             launcher: Sequence[str] = (), cwd: Optional[str] = None, env: Optional[Dict[str, str]] = None,
             timeout: Optional[float] = None, capture: bool = False, check: bool = True) -> ToolRun:
    """Run ``python ARGS`` (or ``LAUNCHER ARGS``) in ``cwd`` (default: the working directory).

    Args:
        args: the tool and its arguments, e.g. ``('tools/train.py', CONFIG, ...)``.
        log: file that receives the whole output (stdout and stderr merged); without it and without
            ``capture`` everything goes to the terminal.
        echo: with ``log``, which lines the terminal shows as well.
        launcher: the command before ``args``; by default this Python (e.g. ``('bash',
            'tools/dist_train.sh')`` puts the config first, so pass the tool's arguments only).
        env: the child's environment (default: this one).
        timeout: seconds before the child is killed and ``subprocess.TimeoutExpired`` raised.
        capture: keep stdout and stderr apart and return them instead of writing them anywhere.
        check: raise :class:`ToolFailed` on a non-zero exit.
    """
    cmd = [*(launcher or (sys.executable,)), *args]
    start, start_cpu = time.time(), _children_cpu_seconds()
    if log:
        os.makedirs(osp.dirname(osp.abspath(log)), exist_ok=True)
    stdout, stderr = '', ''
    pipes = dict(stdout=subprocess.PIPE, stderr=subprocess.PIPE if capture else subprocess.STDOUT)
    timed_out = threading.Event()
    with subprocess.Popen(cmd, cwd=cwd, env=env, text=True, **pipes) as proc:
        killer = threading.Timer(timeout, lambda: (timed_out.set(), proc.kill())) if timeout else None
        if killer:
            killer.start()
        try:
            if capture:
                stdout, stderr = proc.communicate()
            else:
                _stream(proc, log, echo)
        finally:
            if killer:
                killer.cancel()
    if timed_out.is_set():
        raise subprocess.TimeoutExpired(cmd, timeout, stdout, stderr)
    if check and proc.returncode:
        raise ToolFailed(f'exit {proc.returncode}: {" ".join(cmd)}' + (f' (log: {log})' if log else ''))
    return ToolRun(proc.returncode, stdout, stderr, time.time() - start, _children_cpu_seconds() - start_cpu,
                   os.getloadavg()[0])
