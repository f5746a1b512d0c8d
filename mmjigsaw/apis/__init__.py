"""What a program calls into mmjigsaw through: ``register_all_modules`` (registries, default scope,
checkpoints that load back safely), ``load_config`` / ``apply_run_options`` (configs as every tool
reads them) and ``run_cli`` (a tool's entry point: bad data ends with one line and exit code 2)."""
from .cli import run_cli
from .config import apply_run_options, load_config
from .setup_env import register_all_modules

__all__ = ['run_cli', 'load_config', 'apply_run_options', 'register_all_modules']
