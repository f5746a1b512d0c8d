"""What ``tools/train.py --amp`` turns on: the optimizer wrapper for mixed precision on this device."""
import torch
from mmengine.config import Config


def use_mixed_precision(cfg: Config) -> Config:
    """``--amp``: bfloat16 autocast where the device has it natively (CPUs, recent GPUs) through
    mmjigsaw's ``BF16OptimWrapper``, else mmengine's ``AmpOptimWrapper`` in float16 with loss scaling.

    The wrapper's type names its scope (``mmjigsaw.BF16OptimWrapper``) so that detector configs,
    whose default scope is ``mmdet``, build it too.
    """
    if not torch.cuda.is_available() or torch.cuda.is_bf16_supported(including_emulation=False):
        cfg.optim_wrapper.type = 'mmjigsaw.BF16OptimWrapper'
    else:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('dtype', 'float16')
    return cfg
