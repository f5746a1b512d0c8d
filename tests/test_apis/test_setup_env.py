"""register_all_modules(): mmjigsaw's modules in its registries, and Runner checkpoints that load back
safely. Each case runs in a fresh process: the allow-list, once installed, stays for the process."""

import pytest

from helpers import run_tool

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
