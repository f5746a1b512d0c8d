"""tools/analysis_tools/visualize_erf.py: the ERF figure of a trained pre-training checkpoint, and one
clear line for a checkpoint of another model."""
import cv2
import pytest
import torch
from mmengine.runner import Runner

from helpers import DEMO_PRETRAIN_CONFIG, run_tool, tiny_pretrain_cfg, tiny_pretrain_options


@pytest.mark.slow
def test_the_erf_figure_of_a_checkpoint_and_a_checkpoint_of_another_model(demo_store, tmp_path):
    Runner.from_cfg(tiny_pretrain_cfg(demo_store, tmp_path / 'pretrain', max_iters=2, ckpt_interval=2)).train()
    checkpoint = str(tmp_path / 'pretrain' / 'iter_2.pth')
    options = ['--cfg-options', *tiny_pretrain_options(demo_store, max_iters=2)]
    result = run_tool('tools/analysis_tools/visualize_erf.py', DEMO_PRETRAIN_CONFIG, checkpoint, '--out',
                      str(tmp_path / 'erf.png'), '--num-images', '1', '--positions', '0,0', '3,3', *options)
    assert result.returncode == 0, result.stderr[-2000:]
    figure = cv2.imread(str(tmp_path / 'erf.png'))
    assert figure is not None and figure.std() > 0

    state = torch.load(checkpoint, map_location='cpu', weights_only=False)
    state['state_dict'] = {k: v for k, v in state['state_dict'].items() if not k.startswith('head.')}
    other = str(tmp_path / 'backbone_only.pth')
    torch.save(state, other)
    result = run_tool('tools/analysis_tools/visualize_erf.py', DEMO_PRETRAIN_CONFIG, other, '--out',
                      str(tmp_path / 'other.png'), '--num-images', '1', *options)
    assert result.returncode != 0 and 'Traceback' not in result.stderr
    assert 'backbone_only.pth does not fit the model of' in result.stderr and 'missing (head.' in result.stderr
    assert not (tmp_path / 'other.png').exists()
