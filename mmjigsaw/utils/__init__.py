from .cli import run_cli
from .config import load_config
from .errors import ConfigError, DataError
from .image import read_image_rgb
from .io import atomic_write_json
from .setup_env import register_all_modules

__all__ = ['run_cli', 'load_config', 'ConfigError', 'DataError', 'atomic_write_json', 'read_image_rgb', 'register_all_modules']
