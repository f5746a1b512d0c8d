"""Files: JSON written so that no partial result ever lies under the final name, and checksums."""
import hashlib
import json
import os
import os.path as osp
import uuid
from typing import Any


def atomic_write_json(obj: Any, path: str) -> None:
    """Write ``obj`` as JSON to ``path``: to a temporary file beside it, then rename. The file gets the
    permissions of the one it replaces, or those ``open`` gives a new one (the umask and the folder's
    default ACL apply, as the temporary file is created with mode 0o666 like any new file)."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    tmp = osp.join(folder, f'.{osp.basename(path)}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp')
    try:
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), 'w') as f:
            if osp.exists(path):
                os.fchmod(f.fileno(), os.stat(path).st_mode & 0o777)
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
