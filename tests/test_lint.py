"""The code passes the lint of setup.cfg (flake8 and isort, as `make lint` runs them)."""
import subprocess
import sys

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow  # starts flake8 and isort

SOURCES = ['mmjigsaw', 'tools', '.dev_scripts', 'tests', 'configs', 'setup.py']


@pytest.mark.parametrize('command', [['flake8'], ['isort', '--check-only', '--diff']], ids=['flake8', 'isort'])
def test_lint(command):
    result = subprocess.run([sys.executable, '-m', *command, *SOURCES], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
