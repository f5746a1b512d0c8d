from .cli import run_cli
from .config import apply_run_options, load_config
from .errors import ConfigError, DataError
from .image import read_image_rgb
from .io import atomic_write_json, file_sha256
from .setup_env import register_all_modules
from .warning_filters import filter_known_warnings

# Every tool imports this package (run_cli, load_config, register_all_modules) before mmengine
# reads a config, so the filter is in place before the first warning would show.
filter_known_warnings()

__all__ = ['run_cli', 'load_config', 'apply_run_options', 'ConfigError', 'DataError',
           'atomic_write_json', 'file_sha256', 'read_image_rgb', 'register_all_modules', 'filter_known_warnings']
