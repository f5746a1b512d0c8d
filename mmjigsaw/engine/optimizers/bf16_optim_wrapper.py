"""Mixed precision in bfloat16, on the CPU as on a GPU (``tools/train.py --amp``)."""
from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmjigsaw.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BF16OptimWrapper(OptimWrapper):
    """``OptimWrapper`` whose forward passes run under bfloat16 autocast.

    Autocast is mmengine's: it covers the process's device (CUDA when torch sees a GPU, else the
    CPU), which is where the Runner puts the model.

    bfloat16 keeps float32's exponent range, so gradients need no loss scaling: this is mmengine's
    ``AmpOptimWrapper`` without its ``GradScaler``, and unlike it runs on the CPU too. Parameters,
    optimizer state and (in mmjigsaw's heads) targets and losses stay float32. For float16 on GPUs
    without bfloat16, use ``AmpOptimWrapper`` (``tools/train.py --amp`` picks it there).
    """

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        with super().optim_context(model), autocast(dtype=torch.bfloat16):
            yield
