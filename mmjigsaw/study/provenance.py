"""Where a run came from: the hash of the code it ran, the store it read, and the machine.

:func:`code_hash` covers what a run depends on (the package, the configs, the training and export
tools, the requirements) and nothing a report or the docs change: the study's reporting modules,
the analysis and benchmark packages and the study configs are left out. Python files are hashed
as their syntax tree without docstrings, so a comment or docstring edit keeps the hash; any other
file as text.
"""
import ast
import glob
import hashlib
import json
import os
import os.path as osp
import platform
import subprocess
from typing import List, Optional

#: Files a run depends on, relative to the repository (glob patterns, ``**`` recursive).
HASHED = ('mmjigsaw/**/*.py', 'configs/**/*.py', 'tools/train.py', 'tools/test.py', 'tools/extract_samples.py',
          'tools/dist_train.sh', 'tools/model_converters/*.py', 'requirements/*.txt')
#: Left out of :data:`HASHED`: reporting and analysis, which no training run imports.
NOT_HASHED = tuple(f'mmjigsaw/study/{name}.py' for name in (
    'report', 'report_plan', 'report_tables', 'plots', 'claims', 'stats', 'curves', 'demo', 'power', 'budget')) + (
    'mmjigsaw/analysis/', 'mmjigsaw/benchmark/', 'configs/reproduce/')


def hashed_files(root: str) -> List[str]:
    """The files :func:`code_hash` reads, relative to ``root``, sorted."""
    found = {osp.relpath(path, root) for pattern in HASHED
             for path in glob.glob(osp.join(root, pattern), recursive=True) if osp.isfile(path)}
    return sorted(f for f in found if not f.startswith(NOT_HASHED) and '__pycache__' not in f)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, 'body', None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) \
                and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
            node.body = body[1:] or [ast.Pass()]
    return tree


def normalised(path: str) -> bytes:
    """What the hash reads of one file: a .py file's syntax tree without docstrings (comments and
    formatting do not count), any other file's bytes."""
    with open(path, 'rb') as f:
        data = f.read()
    if path.endswith('.py'):
        return ast.dump(_without_docstrings(ast.parse(data, filename=path))).encode()
    return data


def code_hash(root: str) -> str:
    """sha256 (hex, first 16 digits) over :func:`hashed_files` of ``root``: each file's path and
    :func:`normalised` content."""
    digest = hashlib.sha256()
    for rel in hashed_files(root):
        content = hashlib.sha256(normalised(osp.join(root, rel))).hexdigest()
        digest.update(f'{rel}\0{content}\n'.encode())
    return digest.hexdigest()[:16]


def store_hash(store: str) -> Optional[str]:
    """sha256 (hex, first 16 digits) of a sample store's ``meta.json`` (codec, source settings,
    summary and its files' checksums) without the source's absolute paths, so the same store
    extracted in another checkout hashes the same; None without one."""
    path = osp.join(store, 'meta.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        meta = json.load(f)
    for key in ('ann_file', 'img_dir'):
        meta.get('source', {}).pop(key, None)
    return hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest()[:16]


def code_version(root: str) -> str:
    """The commit of the repository at ``root``, with '+changes' when the code or configs differ from
    it (for reference beside :func:`code_hash`, which decides what is comparable)."""
    try:
        commit = subprocess.run(['git', 'rev-parse', '--short', 'HEAD'], cwd=root, capture_output=True,
                                text=True, check=True).stdout.strip()
        changes = subprocess.run(['git', 'status', '--porcelain', '--', 'mmjigsaw', 'configs', 'tools'],
                                 cwd=root, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return 'unknown'
    return commit + ('+changes' if changes else '')


def environment() -> str:
    """Cores and CPU model, Python and the versions of torch and the OpenMMLab stack."""
    import mmcv
    import mmdet
    import mmengine
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            cpu = next(line.split(':', 1)[1].strip() for line in f if line.startswith('model name'))
    except (OSError, StopIteration):
        pass
    return (f'{os.cpu_count()} x {cpu}; Python {platform.python_version()}, torch {torch.__version__}, '
            f'mmengine {mmengine.__version__}, mmcv {mmcv.__version__}, mmdet {mmdet.__version__}')
