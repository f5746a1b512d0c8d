"""tools/analysis_tools/benchmark_train.py on the CPU, in fp32 and with --amp (tools/train.py's mixed
precision: bfloat16 autocast through BF16OptimWrapper, where mmengine's AmpOptimWrapper asserts a GPU)."""
import json

import pytest

from helpers import DEMO_PRETRAIN_CONFIG, run_tool

pytestmark = pytest.mark.slow

TOOL = 'tools/analysis_tools/benchmark_train.py'


def _benchmark(store, *extra):
    result = run_tool(TOOL, DEMO_PRETRAIN_CONFIG, '--device', 'cpu', '--iters', '1', '--batch-size', '2',
                      '--workers', '0', *extra, '--cfg-options', f'train_dataloader.dataset.store={store}',
                      'model.backbone.base_channels=8', 'model.head.in_channels=64',
                      # the ERF refresh the tool times, set in full
                      'custom_hooks.0.type=ERFUpdateHook', 'custom_hooks.0.interval=50', 'custom_hooks.0.num_images=1')
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize('amp,wrapper', [(False, 'OptimWrapper'), (True, 'BF16OptimWrapper')], ids=['fp32', 'amp'])
def test_runs_on_the_cpu(demo_store, amp, wrapper):
    report = _benchmark(demo_store, *(['--amp'] if amp else []))
    assert report['device'] == 'cpu' and report['amp'] is amp and report['batch_size'] == 2
    assert report['optim_wrapper'] == wrapper
    assert report['real_img_per_s'] > 0 and report['ceiling_img_per_s'] > 0
    assert 0 < report['erf_refresh_fraction'] < 1  # one refresh of one montage against 50 iterations


def test_profiles_both_paths(demo_store, tmp_path):
    report = _benchmark(demo_store, '--profile', str(tmp_path))
    for path in ('real', 'ceiling'):
        assert report['profile'][path]['wall_ms'] > 0
        assert report['profile'][path]['device_ms'] == 0  # a CPU run: no GPU time
    assert sorted(p.name for p in tmp_path.iterdir()) == ['ceiling_trace.json', 'real_path_trace.json']
