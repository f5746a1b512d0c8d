"""Files: JSON written so that no partial result ever lies under the final name, and checksums."""
import hashlib
import json
import os
import os.path as osp
import tempfile
from typing import Any


def _new_file_mode() -> int:
    """The permission bits ``open(path, 'w')`` gives a new file: 0o666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def atomic_write_json(obj: Any, path: str) -> None:
    """Write ``obj`` as JSON to ``path``: to a temporary file beside it, then rename. The file gets the
    permissions of the one it replaces, or those ``open`` would give a new one (``mkstemp``'s are 0o600)."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    mode = os.stat(path).st_mode & 0o777 if osp.exists(path) else _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix='.' + osp.basename(path) + '.', suffix='.tmp', dir=folder)
    try:
        os.fchmod(fd, mode)
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
