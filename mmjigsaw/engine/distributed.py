"""Process-group set-up that also works on machines without CUDA (gloo, CPU DDP), and the model inside
the distributed wrapper."""
import os

import torch
import torch.distributed as torch_dist
from mmengine.config import Config
from mmengine.model import is_model_wrapper

from mmjigsaw.errors import ConfigError


def init_distributed(cfg: Config, launcher: str) -> None:
    """Prepare ``cfg`` (and, without CUDA, the process group) for a multi-process run.

    With CUDA, mmengine's Runner initialises NCCL itself. Without it, mmengine would call
    ``torch.cuda.set_device``; so the gloo group is initialised here, before the Runner (which keeps
    an existing group), and DDP is told to use no device ids.
    """
    if torch.cuda.is_available():
        return
    if launcher != 'pytorch':
        raise ConfigError(f'--launcher {launcher} needs CUDA; on a CPU machine use tools/dist_train.sh '
                          '(--launcher pytorch).')
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    cfg.model_wrapper_cfg = dict(type='MMDistributedDataParallel', device_ids=None,
                                 **{k: v for k, v in cfg.get('model_wrapper_cfg', {}).items()
                                    if k not in ('type', 'device_ids')})
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend='gloo', rank=int(os.environ['RANK']),
                                      world_size=int(os.environ['WORLD_SIZE']))


def unwrapped_model(runner) -> torch.nn.Module:
    """The runner's model, without its distributed wrapper (DDP) if it has one."""
    return runner.model.module if is_model_wrapper(runner.model) else runner.model
