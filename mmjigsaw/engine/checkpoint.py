"""Saving and loading runner checkpoints with ``torch.load(..., weights_only=True)``.

torch >= 2.6 unpickles only tensors, containers and allow-listed types by default. mmengine's
runner checkpoints also hold its message hub: ``HistoryBuffer`` objects, which pickle their bound
statistics methods through ``getattr`` (a global that can call anything, so never allow-listed),
plus NumPy arrays and scalars. Rather than turning that protection off:

- a ``HistoryBuffer`` is pickled as :func:`rebuild_history_buffer` of its two NumPy arrays and
  its length (``copyreg``), so checkpoints written with mmjigsaw imported need no ``getattr``;
- that function and NumPy's array, dtype and scalar reconstruction are added to torch's
  allow-list. Anything else in a pickle (a crafted ``.pth`` that would run code) is still refused.

Both happen in :func:`allow_mmengine_checkpoints`, which nothing calls on import:
``mmjigsaw.apis.register_all_modules()`` calls it (every tool calls that before building a Runner,
and so does code that drives mmengine's Runner directly, as the README shows), and
:func:`load_checkpoint_safely` calls it itself. A file it cannot read is refused with one line that
says what the file is (:func:`checkpoint_error`).
"""
import copyreg
import io
import os.path as osp
import pickle
import pickletools
import re
import tarfile
import zipfile
from typing import List, Tuple

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from mmengine.runner.checkpoint import find_latest_checkpoint

from mmjigsaw.errors import DataError


class UnsafeCheckpointError(DataError):
    """A checkpoint whose unpickling would need types outside the allow-list."""


UNSAFE_MESSAGE = ('refused: the checkpoint holds Python objects outside the allow-list of safe types '
                  '(tensors, containers, NumPy arrays, mmengine logs), so loading it could run code. '
                  'Only load checkpoints you trust; re-save their state_dict as tensors. A runner '
                  'checkpoint saved by a process that did not call mmjigsaw.apis.register_all_modules() '
                  'first holds mmengine\'s logs in such a form too.')


def _numpy_types() -> List:
    """NumPy's array reconstruction, dtype and scalar types, as NumPy 1 or 2 pickles them."""
    try:
        from numpy._core.multiarray import _reconstruct, scalar
    except ImportError:  # NumPy 1
        from numpy.core.multiarray import _reconstruct, scalar
    dtype_classes = [type(np.dtype(t)) for t in
                     (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
                      np.uint64, np.float16, np.float32, np.float64)]
    return [_reconstruct, scalar, np.ndarray, np.dtype, *dtype_classes]


def rebuild_history_buffer(log_history: np.ndarray, count_history: np.ndarray, max_length: int) -> HistoryBuffer:
    """Unpickle a ``HistoryBuffer`` from its data alone."""
    return HistoryBuffer(log_history, count_history, max_length)


def _reduce_history_buffer(buffer: HistoryBuffer):
    return rebuild_history_buffer, (buffer._log_history, buffer._count_history, buffer.max_length)


SAFE_CHECKPOINT_GLOBALS = [rebuild_history_buffer, *_numpy_types()]


def allow_mmengine_checkpoints() -> None:
    """Pickle ``HistoryBuffer`` by its data, and allow-list what mmengine's checkpoints then hold.
    Call it before a Runner saves or resumes a checkpoint; calling it again changes nothing."""
    copyreg.pickle(HistoryBuffer, _reduce_history_buffer)
    torch.serialization.add_safe_globals(SAFE_CHECKPOINT_GLOBALS)


#: the members of the tar files torch < 0.4 wrote
TORCH_TAR_MEMBERS = {'sys_info', 'pickle', 'storages', 'tensors'}


def allowed_global_names() -> set:
    """The ``module.name`` of every global ``torch.load(weights_only=True)`` accepts here: torch's own
    and those added with ``add_safe_globals`` (:data:`SAFE_CHECKPOINT_GLOBALS` among them)."""
    allow_mmengine_checkpoints()
    names = set(torch._weights_only_unpickler._get_allowed_globals())
    for entry in torch.serialization.get_safe_globals():
        obj, name = entry if isinstance(entry, tuple) else (entry, None)
        names.add(name or f'{obj.__module__}.{obj.__qualname__}')
    return names


def _pickle_data(path: str) -> bytes:
    """The pickled bytes of a checkpoint file: the ``data.pkl`` of torch's zip format, else the file.
    Raises ``zipfile.BadZipFile`` for a damaged zip."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b''.join(archive.read(n) for n in archive.namelist() if n.endswith('data.pkl'))
    with open(path, 'rb') as f:
        return f.read()


def pickled_globals(data: bytes) -> List[str]:
    """The ``module.name`` globals that pickled ``data`` names, each once in order of appearance, read
    with ``pickletools`` (never unpickled), ``__builtin__`` read as ``builtins``. Names pushed from the
    memo count (protocol >= 4 memoises the module and name strings of ``STACK_GLOBAL``); text that
    parses as a global but is no Python name is left out."""
    stream, found = io.BytesIO(data), []
    try:
        while stream.tell() < len(data):  # torch < 1.6 files are several pickles in a row, then raw bytes
            pushed, memo = [], {}  # each pickle has its own memo
            for opcode, arg, _ in pickletools.genops(stream):
                if opcode.name == 'GLOBAL':
                    found.append(arg.replace(' ', '.'))
                elif opcode.name == 'STACK_GLOBAL' and len(pushed) >= 2 and None not in pushed[-2:]:
                    found.append('.'.join(pushed[-2:]))
                if opcode.name == 'MEMOIZE':
                    memo[len(memo)] = pushed[-1] if pushed else None
                elif opcode.name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                    memo[arg] = pushed[-1] if pushed else None
                elif opcode.name in ('GET', 'BINGET', 'LONG_BINGET'):
                    pushed.append(memo.get(arg))
                elif opcode.name not in ('PROTO', 'FRAME', 'STOP'):
                    pushed.append(arg if isinstance(arg, str) else None)
    except ValueError:  # the raw tensor bytes after the pickles, or a truncated file
        pass
    found = [re.sub(r'^__builtin__\.', 'builtins.', name) for name in found]  # Python 2's name, as pickle maps it
    return [name for name in dict.fromkeys(found) if re.fullmatch(r'[A-Za-z_][\w.]*', name)]


def _listed(names: List[str], most: int = 6) -> str:
    """The globals a pickle names: every one outside :func:`allowed_global_names` first, all of them,
    then at most ``most`` allowed ones: 'a, b, c, ...'."""
    allowed = allowed_global_names()
    outside, inside = [g for g in names if g not in allowed], [g for g in names if g in allowed]
    shown = ', '.join(outside + inside[:most]) + (', ...' if len(inside) > most else '')
    return shown or 'no globals'


def _globals_outside_allow_list(path: str) -> List[str]:
    """The globals a checkpoint's pickle names that torch would refuse ([] where it cannot be read)."""
    try:
        allowed = allowed_global_names()
        return [g for g in pickled_globals(_pickle_data(path)) if g not in allowed]
    except (OSError, zipfile.BadZipFile):
        return []


def _damaged_zip(path: str, bad: zipfile.BadZipFile) -> DataError:
    return DataError(f'{path}: not a PyTorch checkpoint (a damaged zip archive: {bad}).')


def checkpoint_error(path: str, err: Exception) -> DataError:
    """The error to raise for ``torch.load(path, weights_only=True)`` failing with ``err``, named for
    what the file is: unreadable, a TorchScript archive, a torch < 0.4 tar file, a pickle that needs a
    global torch refuses (:class:`UnsafeCheckpointError`, the global named), a pickle of a protocol torch
    cannot check (refused too, with the globals it names), or no (intact) checkpoint at all."""
    if isinstance(err, OSError):
        return DataError(f'{path}: cannot be read ({type(err).__name__}: {err}).')
    text = str(err)
    refused = re.search(r'GLOBAL ([\w.]+)', text)
    if refused:  # whatever the file's format: torch read as far as the first global it refuses
        name = refused.group(1) if '.' in refused.group(1) else f'builtins.{refused.group(1)}'  # torch drops it
        others = [g for g in _globals_outside_allow_list(path) if g != name]
        return UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE} torch refused {name}'
                                     + (f'; the pickle also names {", ".join(others)}.' if others else '.'))
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = archive.namelist()
        except zipfile.BadZipFile as bad:  # its end record is intact, its directory is not
            return _damaged_zip(path, bad)
        if any(n.endswith('constants.pkl') for n in members):
            return DataError(f'{path}: a TorchScript archive (torch.jit.save), not a checkpoint of weights; '
                             'load it with torch.jit.load and torch.save its state_dict().')
    elif tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            if TORCH_TAR_MEMBERS <= set(archive.getnames()):
                return DataError(f'{path}: saved by torch < 0.4 (the legacy .tar format), which cannot be read '
                                 'without running its pickles; if you trust it, load it with weights_only=False '
                                 'and torch.save its state_dict() again.')
        return DataError(f'{path}: not a PyTorch checkpoint (a tar archive torch did not write).')
    try:
        data = _pickle_data(path)
    except zipfile.BadZipFile as bad:
        return _damaged_zip(path, bad)
    protocol = data[1] if data[:1] == b'\x80' and len(data) > 1 else 0
    if not (protocol or zipfile.is_zipfile(path)):
        if pickled_globals(data):  # protocol 0 or 1, which torch does not write
            return UnsafeCheckpointError(f'{path}: refused: a pickle of protocol 0 or 1, which torch.load('
                                         f'weights_only=True) cannot check; it names {_listed(pickled_globals(data))}.')
        what = 'a damaged zip archive: a truncated copy?' if data[:2] == b'PK' else \
            "neither torch's zip format nor a pickle"
        return DataError(f'{path}: not a PyTorch checkpoint ({what}).')
    if isinstance(err, pickle.UnpicklingError) and protocol > 3:
        return UnsafeCheckpointError(
            f'{path}: refused: pickled with protocol {protocol}, which torch.load(weights_only=True) cannot '
            f'check (torch.save writes 2). Its pickle names {_listed(pickled_globals(data))}. Only if you trust '
            'it: load it with weights_only=False and torch.save it again.')
    reason = text.partition('WeightsUnpickler error:')[2].strip().split('\n')[0]
    if isinstance(err, pickle.UnpicklingError) and not reason.startswith('Unsupported operand'):
        return UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE} torch: {reason or text.splitlines()[0]}')
    first_line = reason or (text.splitlines()[0] if text else '')
    return DataError(f'{path}: not a PyTorch checkpoint that torch.load reads, or a damaged one '
                     f'({type(err).__name__}: {first_line}).')


def load_checkpoint_safely(path: str, map_location='cpu'):
    """``torch.load`` with ``weights_only=True`` and the mmengine allow-list; a file that fails is
    refused with the error of :func:`checkpoint_error`."""
    allow_mmengine_checkpoints()
    if not osp.exists(path):
        raise DataError(f'{path}: checkpoint not found.')
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises many types for a file it cannot read
        raise checkpoint_error(path, err) from None


def _pretrained_checkpoints(node) -> List[str]:
    """Every ``init_cfg=dict(type='Pretrained', checkpoint=...)`` path in a (model) config."""
    if isinstance(node, dict):
        found = [node['checkpoint']] if node.get('type') == 'Pretrained' and 'checkpoint' in node else []
        return found + [p for v in node.values() for p in _pretrained_checkpoints(v)]
    if isinstance(node, (list, tuple)):
        return [p for v in node for p in _pretrained_checkpoints(v)]
    return []


def run_checkpoints(cfg) -> Tuple[List[str], List[str]]:
    """The checkpoints a training run of ``cfg`` loads, as (local paths, URLs): ``load_from`` (what
    ``--resume PATH`` sets), the latest one in ``work_dir`` where it resumes without a path, and the
    ``Pretrained`` init_cfgs. URLs (``torchvision://``, ``open-mmlab://``, ``https://``) are torch.hub's."""
    paths = [p for p in (cfg.get('load_from'), *_pretrained_checkpoints(cfg.get('model'))) if p]
    work_dir = cfg.get('work_dir')
    if cfg.get('resume') and not cfg.get('load_from') and work_dir and \
            osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        paths.append(find_latest_checkpoint(work_dir))
    return [p for p in paths if '://' not in p], [p for p in paths if '://' in p]
