from .checkpoint import (SAFE_CHECKPOINT_GLOBALS, UNSAFE_MESSAGE, UnsafeCheckpointError, allow_mmengine_checkpoints,
                         check_runner_checkpoint_fits, checkpoint_error, describe_misfit, load_checkpoint_safely,
                         pretrained_checkpoints, runner_state_dict, state_dict_fit, state_dict_of)
from .distributed import init_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403

__all__ = ['SAFE_CHECKPOINT_GLOBALS', 'UNSAFE_MESSAGE', 'UnsafeCheckpointError', 'allow_mmengine_checkpoints',
           'check_runner_checkpoint_fits', 'checkpoint_error', 'describe_misfit', 'load_checkpoint_safely',
           'pretrained_checkpoints', 'runner_state_dict', 'state_dict_fit', 'state_dict_of', 'init_distributed']
