"""Entry-point wrapper for the tools: bad data ends with one clear line and exit code 2."""
import sys
from typing import Callable

from .errors import ConfigError, DataError


def run_cli(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; a :class:`DataError` or :class:`ConfigError` prints and exits 2."""
    try:
        main()
    except (DataError, ConfigError) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
