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
from typing import List

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


def load_checkpoint_safely(path: str, map_location='cpu'):
    """``torch.load`` with ``weights_only=True`` and the mmengine allow-list; a pickle that needs
    anything else is refused with a clear message."""
    allow_mmengine_checkpoints()
    try:
        return torch.load(path, map_location=map_location, weights_only=True)
    except Exception as err:
        if 'weights_only' in str(err) or 'Unsupported global' in str(err):
            raise UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE}') from None
        raise


def pretrained_checkpoints(node) -> List[str]:
    """Every ``init_cfg=dict(type='Pretrained', checkpoint=...)`` path in a (model) config."""
    if isinstance(node, dict):
        found = [node['checkpoint']] if node.get('type') == 'Pretrained' and 'checkpoint' in node else []
        return found + [p for v in node.values() for p in pretrained_checkpoints(v)]
    if isinstance(node, (list, tuple)):
        return [p for v in node for p in pretrained_checkpoints(v)]
    return []
