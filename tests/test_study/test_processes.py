"""The one run_tool: a tool as a child process, its output logged, echoed or captured, its cost measured."""
import os
import subprocess
import sys

import pytest

from mmjigsaw.study.processes import ToolFailed, run_tool

TALK = 'import sys; print("one"); print("two", file=sys.stderr); print("three", flush=True); sys.exit({code})'


def test_capture_keeps_stdout_and_stderr_apart_and_returns_the_status():
    result = run_tool(('-c', TALK.format(code=3)), capture=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (3, 'one\nthree\n', 'two\n')


def test_a_failure_names_the_command_and_its_log(tmp_path):
    log = tmp_path / 'logs' / 'run.log'
    with pytest.raises(ToolFailed, match=rf'exit 3: {sys.executable} -c .* \(log: {log}\)'):
        run_tool(('-c', TALK.format(code=3)), log=str(log))
    assert sorted(log.read_text().split()) == ['one', 'three', 'two']  # stdout and stderr, merged


def test_a_log_takes_everything_and_the_terminal_the_echoed_lines(tmp_path, capsys):
    log = tmp_path / 'run.log'
    result = run_tool(('-c', TALK.format(code=0)), log=str(log), echo=lambda line: line.startswith('th'))
    assert result.returncode == 0 and (result.stdout, result.stderr) == ('', '')
    assert capsys.readouterr().out == 'three\n' and len(log.read_text().split()) == 3


def test_runs_in_the_given_folder_with_the_given_environment(tmp_path):
    code = 'import os; print(os.getcwd(), os.environ["MARK"])'
    result = run_tool(('-c', code), cwd=str(tmp_path), env=dict(os.environ, MARK='x1'), capture=True)
    assert result.stdout.split() == [str(tmp_path), 'x1']


def test_cpu_time_counts_the_child_and_its_children():
    busy = 'import time; t = time.process_time()\nwhile time.process_time() - t < 0.3: pass'
    nested = f'import subprocess, sys; subprocess.run([sys.executable, "-c", {busy!r}])'
    result = run_tool(('-c', nested), capture=True)
    assert result.cpu >= 0.29 and result.wall >= 0.29 and result.load >= 0


@pytest.mark.parametrize('capture', [True, False], ids=['captured', 'logged'])
def test_a_timeout_kills_the_child(tmp_path, capture):
    with pytest.raises(subprocess.TimeoutExpired):
        run_tool(('-c', 'import time; time.sleep(60)'), log=None if capture else str(tmp_path / 'x.log'),
                 capture=capture, timeout=0.5)
