"""Entry-point wrapper for the tools: bad data ends with one clear line and exit code 2."""
import sys
from typing import Callable

import torch.distributed as torch_dist

from mmjigsaw.errors import ConfigError, DataError


def run_cli(main: Callable[[], None]) -> None:
    """Run a tool's ``main``; a :class:`DataError` or :class:`ConfigError` prints and exits 2.

    When ``main`` returns, the process group it set up (if any) is destroyed: a gloo group left to the
    interpreter's shutdown can abort a rank ("terminate called without an active exception", exit -6)
    after the work is done.
    """
    try:
        main()
    except (DataError, ConfigError) as err:
        print(f'error: {err}', file=sys.stderr)
        sys.exit(2)
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
