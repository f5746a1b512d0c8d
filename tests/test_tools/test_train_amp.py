"""tools/train.py --amp: bfloat16 autocast (BF16OptimWrapper) on the CPU, a finite loss, a checkpoint."""
import json

import pytest

from helpers import DEMO_PRETRAIN_CONFIG, run_tool, tiny_pretrain_options

pytestmark = pytest.mark.slow


def test_two_iterations_with_amp(demo_store, tmp_path):
    result = run_tool('tools/train.py', DEMO_PRETRAIN_CONFIG, '--amp', '--work-dir', str(tmp_path), '--cfg-options',
                      *tiny_pretrain_options(demo_store, 2, ckpt_interval=2))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "type='mmjigsaw.BF16OptimWrapper'" in result.stdout + result.stderr  # mmengine logs the config
    records = [json.loads(line) for path in tmp_path.glob('*/vis_data/scalars.json') for line in open(path)]
    losses = [r['loss'] for r in records if 'loss' in r]
    assert len(losses) == 2 and all(0 < loss < 100 for loss in losses)
    assert (tmp_path / 'iter_2.pth').exists()
