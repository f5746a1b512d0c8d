from .checkpoint import (SAFE_CHECKPOINT_GLOBALS, UNSAFE_MESSAGE, UnsafeCheckpointError, allow_mmengine_checkpoints,
                         checkpoint_error, load_checkpoint_safely, pretrained_checkpoints)
from .distributed import init_distributed
from .hooks import *  # noqa: F401,F403
from .optimizers import *  # noqa: F401,F403
from .state_dicts import check_runner_checkpoint_fits, describe_misfit, runner_state_dict, state_dict_fit, state_dict_of

__all__ = ['SAFE_CHECKPOINT_GLOBALS', 'UNSAFE_MESSAGE', 'UnsafeCheckpointError', 'allow_mmengine_checkpoints',
           'checkpoint_error', 'load_checkpoint_safely', 'pretrained_checkpoints', 'init_distributed',
           'check_runner_checkpoint_fits', 'describe_misfit', 'runner_state_dict', 'state_dict_fit', 'state_dict_of']
