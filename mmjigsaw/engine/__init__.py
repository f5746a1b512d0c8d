from .checkpoint import (SAFE_CHECKPOINT_GLOBALS, UNSAFE_MESSAGE, UnsafeCheckpointError, allow_mmengine_checkpoints,
                         load_checkpoint_safely, run_checkpoints)
from .distributed import init_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .state_dicts import describe_misfit, load_runner_checkpoint, state_dict_fit, state_dict_of

__all__ = ['SAFE_CHECKPOINT_GLOBALS', 'UNSAFE_MESSAGE', 'UnsafeCheckpointError', 'allow_mmengine_checkpoints',
           'load_checkpoint_safely', 'run_checkpoints', 'init_distributed', 'load_runner_checkpoint',
           'describe_misfit', 'state_dict_fit', 'state_dict_of']
