from .backbone_export import export_backbone, extract_backbone_state
from .checkpoint import (SAFE_CHECKPOINT_GLOBALS, UnsafeCheckpointError, allow_mmengine_checkpoints,
                         load_checkpoint_safely)
from .distributed import init_distributed
from .hooks import *  # noqa: F401,F403

allow_mmengine_checkpoints()

__all__ = ['export_backbone', 'extract_backbone_state', 'SAFE_CHECKPOINT_GLOBALS', 'UnsafeCheckpointError',
           'allow_mmengine_checkpoints', 'load_checkpoint_safely', 'init_distributed']
