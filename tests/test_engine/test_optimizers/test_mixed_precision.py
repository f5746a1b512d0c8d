"""use_mixed_precision (tools/train.py --amp) builds under the config's own default scope."""

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope
from torch import nn

from mmjigsaw.engine.optimizers import BF16OptimWrapper, use_mixed_precision
from helpers import DEMO_PRETRAIN_CONFIG, DEMO_SCRATCH_DETECTOR_CONFIG


@pytest.mark.skipif(torch.cuda.is_available() and not torch.cuda.is_bf16_supported(including_emulation=False),
                    reason='this GPU has no bfloat16: --amp picks float16 AmpOptimWrapper')
@pytest.mark.parametrize('config, scope', [(DEMO_PRETRAIN_CONFIG, 'mmjigsaw'), (DEMO_SCRATCH_DETECTOR_CONFIG, 'mmdet')])
def test_amp_builds_the_bf16_wrapper_in_pretraining_and_detector_configs(config, scope):
    cfg = use_mixed_precision(Config.fromfile(config))
    assert cfg.default_scope == scope
    with DefaultScope.overwrite_default_scope(scope):
        wrapper = build_optim_wrapper(nn.Linear(2, 2), cfg.optim_wrapper)
    assert isinstance(wrapper, BF16OptimWrapper)
    assert wrapper.optimizer.param_groups[0]['lr'] == cfg.optim_wrapper.optimizer.lr
