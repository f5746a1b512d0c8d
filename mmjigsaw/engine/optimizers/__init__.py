from .bf16_optim_wrapper import BF16OptimWrapper
from .mixed_precision import use_mixed_precision

__all__ = ['BF16OptimWrapper', 'use_mixed_precision']
