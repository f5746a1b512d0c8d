"""Files: JSON written so that no partial result ever lies under the final name, and checksums."""
import hashlib
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


def file_sha256(path: str, chunk: int = 1 << 24) -> str:
    """Hex sha256 of a file, read in ``chunk``-byte blocks."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()
