"""Loading a config the way every mmjigsaw tool does."""
import os.path as osp
from typing import Dict, Optional

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
