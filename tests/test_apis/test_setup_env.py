"""register_all_modules(): mmjigsaw's modules in its registries, and Runner checkpoints that load back
safely, as the README's "From Python" code uses it. Each case runs in a fresh process: the allow-list,
once installed, stays for the process."""

import os.path as osp
import re

import pytest

from helpers import ROOT, readme_section, run_tool

SAVE_A_RUNNER_LOG = '''
import sys, torch
from mmengine.logging import MessageHub
{setup}
hub = MessageHub.get_instance('test')
hub.update_scalar('train/loss', 0.5)
torch.save(dict(message_hub=hub.state_dict()), sys.argv[1])  # what a Runner's checkpoint holds
from mmjigsaw.engine import UnsafeCheckpointError, load_checkpoint_safely
try:
    load_checkpoint_safely(sys.argv[1])
    print('loaded')
except UnsafeCheckpointError as err:
    print(err)
'''


@pytest.mark.slow  # starts a process
@pytest.mark.parametrize('setup, loads', [
    ('from mmjigsaw.apis import register_all_modules; register_all_modules()', True),
    ('', False),
])
def test_checkpoints_saved_after_register_all_modules_load_back(tmp_path, setup, loads):
    script = tmp_path / 'save.py'
    script.write_text(SAVE_A_RUNNER_LOG.format(setup=setup))
    result = run_tool(str(script), str(tmp_path / 'ckpt.pth'))
    assert result.returncode == 0, result.stderr[-2000:]
    if loads:
        assert result.stdout.strip().endswith('loaded')
    else:  # pickled with getattr: refused, and the message names the call that was missing
        assert 'refused' in result.stdout and 'register_all_modules()' in result.stdout


@pytest.mark.slow  # starts a process
def test_the_readmes_from_python_snippet_builds_its_runner(tmp_path):
    """The README's "From Python" code, run where it says (configs/ beside it), up to its ``.train()``."""
    (snippet,) = re.findall(r'```python\n(.*?)```', readme_section('From Python'), re.S)
    build_only, calls = re.subn(r'\.train\(\)\s*$', '', snippet)
    assert calls == 1, 'the snippet no longer ends in .train()'
    (tmp_path / 'configs').symlink_to(osp.join(ROOT, 'configs'))
    (tmp_path / 'snippet.py').write_text(build_only)
    result = run_tool('snippet.py', cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]
    (work_dir,) = (tmp_path / 'work_dirs').iterdir()  # the Runner made its work dir and logs there
    assert list(work_dir.glob('*/*.log'))
