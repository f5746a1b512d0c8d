"""Loading a config the way every mmjigsaw tool does."""
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config

from mmjigsaw.errors import ConfigError
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
