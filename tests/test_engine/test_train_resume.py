"""tools/train.py end to end on CPU: training, --resume under torch's weights_only loading."""

import torch

from conftest import DEMO_PRETRAIN_CONFIG, run_tool, tiny_pretrain_options


def _train(work_dir, store, max_iters, *extra):
    result = run_tool('tools/train.py', DEMO_PRETRAIN_CONFIG, '--work-dir', str(work_dir), *extra,
                      '--cfg-options', *tiny_pretrain_options(store, max_iters, erf_interval=2, ckpt_interval=3))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def test_resume_continues_exactly_like_an_uninterrupted_run(demo_store, tmp_path):
    assert torch.__version__ >= '2.6'  # weights_only=True is torch.load's default here
    _train(tmp_path / 'full', demo_store, 6)
    _train(tmp_path / 'part', demo_store, 3)
    log = _train(tmp_path / 'part', demo_store, 6, '--resume')
    assert 'resumed' in log.lower() or 'Advance dataloader 3 steps' in log
    full, part = _state(tmp_path / 'full' / 'iter_6.pth'), _state(tmp_path / 'part' / 'iter_6.pth')
    assert full['meta']['iter'] == part['meta']['iter'] == 6
    assert torch.equal(full['state_dict']['head.erf_weights'], part['state_dict']['head.erf_weights'])
    # the table was refreshed after the resume point (at iteration 4), so it is not the initial one
    first = _state(tmp_path / 'part' / 'iter_3.pth')['state_dict']['head.erf_weights']
    assert not torch.equal(first, part['state_dict']['head.erf_weights'])
    for key, value in full['state_dict'].items():
        assert torch.equal(value, part['state_dict'][key]), key


def test_erf_hook_refreshes_at_the_right_iterations_and_writes_heat_maps(demo_store, tmp_path):
    log = _train(tmp_path / 'run', demo_store, 5)
    assert [line.split('iter ')[1].split(':')[0] for line in log.splitlines()
            if 'ERFUpdateHook: iter' in line] == ['0', '2', '4']
    assert sorted(p.name for p in (tmp_path / 'run' / 'erf').iterdir()) == ['iter_0.png', 'iter_2.png', 'iter_4.png']
    assert 'erf_own_weight' in log and 'erf_own_share' in log
