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
``mmjigsaw.utils.register_all_modules()`` calls it (every tool calls that before building a Runner,
and so does code that drives mmengine's Runner directly, as the README shows), and
:func:`load_checkpoint_safely` calls it itself.
"""
import copyreg
import io
import os.path as osp
import pickle
import pickletools
import zipfile
from typing import Dict, List, Mapping, Sequence

import numpy as np
import torch
from mmengine.logging import HistoryBuffer

from mmjigsaw.errors import DataError


class UnsafeCheckpointError(DataError):
    """A checkpoint whose unpickling would need types outside the allow-list."""


UNSAFE_MESSAGE = ('refused: the checkpoint holds Python objects outside the allow-list of safe types '
                  '(tensors, containers, NumPy arrays, mmengine logs), so loading it could run code. '
                  'Only load checkpoints you trust; re-save their state_dict as tensors. A runner '
                  'checkpoint saved by a process that did not call mmjigsaw.utils.register_all_modules() '
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


#: modules whose globals a plain checkpoint's pickle names (tensor and storage rebuilding, NumPy, dicts)
PLAIN_PICKLE_MODULES = ('torch', 'numpy', 'collections', 'mmjigsaw.engine.checkpoint')


def pickled_globals(path: str) -> List[str]:
    """The ``module.name`` globals that the pickles of a checkpoint file name, each once in order of
    appearance, read without unpickling (``pickletools``); for torch's zip format its ``data.pkl``."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            data = b''.join(archive.read(n) for n in archive.namelist() if n.endswith('data.pkl'))
    else:
        with open(path, 'rb') as f:
            data = f.read()
    stream, found, strings = io.BytesIO(data), [], []
    try:
        while stream.tell() < len(data):  # torch < 1.6 files are several pickles in a row, then raw bytes
            for opcode, arg, _ in pickletools.genops(stream):
                if opcode.name == 'GLOBAL':
                    found.append(arg.replace(' ', '.'))
                elif opcode.name == 'STACK_GLOBAL' and len(strings) >= 2:
                    found.append('.'.join(strings[-2:]))
                elif isinstance(arg, str):
                    strings.append(arg)
    except ValueError:  # the raw tensor bytes after the pickles, or a truncated file
        pass
    return list(dict.fromkeys(found))


def checkpoint_error(path: str, err: Exception) -> DataError:
    """The error to raise for ``torch.load(path, weights_only=True)`` failing with ``err``: a refused
    pickle is named with the globals it needs outside :data:`PLAIN_PICKLE_MODULES`; TorchScript archives
    and torch < 0.4 tar files are named as such; anything else says the file is not a checkpoint."""
    text = str(err)
    if 'TorchScript archives' in text:
        return DataError(f'{path}: a TorchScript archive (torch.jit.save), not a checkpoint of weights; '
                         'load it with torch.jit.load and torch.save its state_dict().')
    if 'legacy .tar format' in text:
        return DataError(f'{path}: saved by torch < 0.4 (the legacy .tar format), which cannot be read '
                         'without running its pickles; if you trust it, load it with weights_only=False '
                         'and torch.save its state_dict() again.')
    if isinstance(err, pickle.UnpicklingError) or 'weights_only' in text:
        foreign = [g for g in (pickled_globals(path) if osp.isfile(path) else [])
                   if not g.startswith(tuple(m + '.' for m in PLAIN_PICKLE_MODULES))]
        needs = f' This one names {", ".join(foreign[:5])}.' if foreign else ''
        return UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE}{needs}')
    first_line = text.splitlines()[0] if text else ''
    return DataError(f'{path}: not a PyTorch checkpoint that torch.load reads ({type(err).__name__}: '
                     f'{first_line}).')


def load_checkpoint_safely(path: str, map_location='cpu'):
    """``torch.load`` with ``weights_only=True`` and the mmengine allow-list; a file that fails is
    refused with the error of :func:`checkpoint_error`."""
    allow_mmengine_checkpoints()
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except FileNotFoundError:
        raise DataError(f'{path}: checkpoint not found.') from None
    except Exception as err:  # noqa: BLE001 - torch raises many types for a file it cannot read
        raise checkpoint_error(path, err) from None


def state_dict_of(checkpoint) -> Dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint: its ``state_dict`` (mmengine) or ``model`` entry, or the
    checkpoint itself when it is a plain state dict."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def state_dict_fit(state: Mapping[str, torch.Tensor], reference: Mapping[str, torch.Tensor]) -> Dict[str, List[str]]:
    """How ``state`` fits ``reference`` (both key -> tensor): the keys of ``reference`` it lacks
    (``missing``), its keys ``reference`` lacks (``unexpected``) and the shared keys of another shape
    (``shape``, as 'key: (state shape) vs (reference shape)')."""
    return dict(missing=[k for k in reference if k not in state],
                unexpected=[k for k in state if k not in reference],
                shape=[f'{k}: {tuple(state[k].shape)} vs {tuple(reference[k].shape)}' for k in state
                       if k in reference and tuple(state[k].shape) != tuple(reference[k].shape)])


def describe_misfit(fit: Mapping[str, List[str]], kinds: Sequence[str] = ('missing', 'unexpected', 'shape')) -> str:
    """'2 missing (a, b); 1 of another shape (c: (3,) vs (4,))' for the ``kinds`` of a
    :func:`state_dict_fit` that name keys; '' when none does."""
    names = dict(missing='missing', unexpected='unexpected', shape='of another shape')
    return '; '.join(f'{len(fit[kind])} {names[kind]} ({", ".join(fit[kind][:3])}'
                     f'{", ..." if len(fit[kind]) > 3 else ""})' for kind in kinds if fit[kind])


def pretrained_checkpoints(node) -> List[str]:
    """Every ``init_cfg=dict(type='Pretrained', checkpoint=...)`` path in a (model) config."""
    if isinstance(node, dict):
        found = [node['checkpoint']] if node.get('type') == 'Pretrained' and 'checkpoint' in node else []
        return found + [p for v in node.values() for p in pretrained_checkpoints(v)]
    if isinstance(node, (list, tuple)):
        return [p for v in node for p in pretrained_checkpoints(v)]
    return []
