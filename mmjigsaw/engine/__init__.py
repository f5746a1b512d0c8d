from .checkpoint import (SAFE_CHECKPOINT_GLOBALS, UNSAFE_MESSAGE, UnsafeCheckpointError, allow_mmengine_checkpoints,
                         load_checkpoint_safely, pretrained_checkpoints)
from .distributed import init_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403

__all__ = ['SAFE_CHECKPOINT_GLOBALS', 'UNSAFE_MESSAGE', 'UnsafeCheckpointError', 'allow_mmengine_checkpoints',
           'load_checkpoint_safely', 'pretrained_checkpoints', 'init_distributed']
