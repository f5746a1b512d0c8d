"""Loading a config the way every mmjigsaw tool does."""
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.config import Config

from .errors import ConfigError
from .setup_env import register_all_modules


def load_config(path: str, cfg_options: Optional[Dict] = None) -> Config:
    """Register mmjigsaw's modules (default scope ``mmjigsaw``), read ``path`` and apply
    ``--cfg-options`` overrides."""
    if not osp.isfile(path):
        raise ConfigError(f'{path}: config file not found.')
    register_all_modules()
    cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def apply_run_options(cfg: Config, config_path: str, launcher: str, cfg_options: Optional[Dict],
                      work_dir: Optional[str]) -> Config:
    """The options tools/train.py and tools/test.py share: the launcher, ``--cfg-options`` and the
    work dir (``--work-dir``, else the config's, else ``work_dirs/<config name>``)."""
    cfg.launcher = launcher
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    if work_dir:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('work_dirs', osp.splitext(osp.basename(config_path))[0])
    return cfg


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
