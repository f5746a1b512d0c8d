"""File writing that never leaves a partial result under the final name."""
import json
import os
import os.path as osp
import tempfile
from typing import Any


def atomic_write_json(obj: Any, path: str) -> None:
    """Write ``obj`` as JSON to ``path``: to a temporary file beside it, then rename."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.' + osp.basename(path) + '.', suffix='.tmp', dir=folder)
    try:
        with os.fdopen(fd, 'w') as f:
            json.dump(obj, f)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
