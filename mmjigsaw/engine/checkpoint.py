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
:func:`load_checkpoint_safely` calls it itself.
"""
import copyreg
import io
import os.path as osp
import pickle
import pickletools
import re
import tarfile
import zipfile
from typing import Dict, List, Mapping, Sequence

import numpy as np
import torch
from mmengine.logging import HistoryBuffer
from torch import nn

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


def _pickle_data(path: str) -> bytes:
    """The pickled bytes of a checkpoint file: the ``data.pkl`` of torch's zip format, else the file."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return b''.join(archive.read(n) for n in archive.namelist() if n.endswith('data.pkl'))
    with open(path, 'rb') as f:
        return f.read()


def pickled_globals(data: bytes) -> List[str]:
    """The ``module.name`` globals that pickled ``data`` names, each once in order of appearance, read
    with ``pickletools`` (never unpickled). Names pushed from the memo count (protocol >= 4 memoises
    the module and name strings of ``STACK_GLOBAL``)."""
    stream, found, pushed, memo = io.BytesIO(data), [], [], {}
    try:
        while stream.tell() < len(data):  # torch < 1.6 files are several pickles in a row, then raw bytes
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
    return list(dict.fromkeys(found))


def checkpoint_error(path: str, err: Exception) -> DataError:
    """The error to raise for ``torch.load(path, weights_only=True)`` failing with ``err``, named for
    what the file is: unreadable, a TorchScript archive, a torch < 0.4 tar file, a pickle that needs a
    global torch refuses (:class:`UnsafeCheckpointError`), a pickle of a protocol torch cannot check
    (refused too, with the globals it names), or no checkpoint at all."""
    if isinstance(err, OSError):
        return DataError(f'{path}: cannot be read ({type(err).__name__}: {err}).')
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            if any(n.endswith('constants.pkl') for n in archive.namelist()):
                return DataError(f'{path}: a TorchScript archive (torch.jit.save), not a checkpoint of weights; '
                                 'load it with torch.jit.load and torch.save its state_dict().')
    elif tarfile.is_tarfile(path):
        return DataError(f'{path}: saved by torch < 0.4 (the legacy .tar format), which cannot be read without '
                         'running its pickles; if you trust it, load it with weights_only=False and torch.save '
                         'its state_dict() again.')
    text, data = str(err), _pickle_data(path)
    protocol = data[1] if data[:1] == b'\x80' and len(data) > 1 else 0
    if not (protocol or zipfile.is_zipfile(path)):
        what = "neither torch's zip format nor a pickle"
        if data[:2] == b'PK':
            what = 'a damaged zip archive: a truncated copy?'
        return DataError(f'{path}: not a PyTorch checkpoint ({what}).')
    refused = re.search(r'GLOBAL ([\w.]+)', text)
    if refused:
        return UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE} torch refused {refused.group(1)}.')
    if isinstance(err, pickle.UnpicklingError) and protocol > 3:
        names = ', '.join(pickled_globals(data)[:6]) or 'no globals'
        return UnsafeCheckpointError(
            f'{path}: refused: pickled with protocol {protocol}, which torch.load(weights_only=True) cannot '
            f'check (torch.save writes 2). Its pickle names {names}. Only if you trust it: load it with '
            'weights_only=False and torch.save it again.')
    if isinstance(err, pickle.UnpicklingError):
        reason = text.partition('WeightsUnpickler error:')[2].strip().split('\n')[0]
        return UnsafeCheckpointError(f'{path}: {UNSAFE_MESSAGE} torch: {reason or text.splitlines()[0]}')
    first_line = text.splitlines()[0] if text else ''
    return DataError(f'{path}: not a PyTorch checkpoint ({type(err).__name__}: {first_line}).')


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


def state_dict_of(checkpoint) -> Dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint: its ``state_dict`` (mmengine) or ``model`` entry, or the
    checkpoint itself when it is a plain state dict."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def runner_state_dict(checkpoint) -> Dict[str, torch.Tensor]:
    """The tensors mmengine's runner loads from a checkpoint (``load_from``, ``tools/test.py``): its
    ``state_dict`` entry or the whole dict, with a leading ``module.`` (a DDP model's) removed from each
    key. Unlike :func:`state_dict_of`, a ``model`` entry is not looked into: the runner does not."""
    state = checkpoint['state_dict'] if isinstance(checkpoint, dict) and 'state_dict' in checkpoint else checkpoint
    return {re.sub(r'^module\.', '', k): v for k, v in state.items()}


def check_runner_checkpoint_fits(checkpoint: str, model: nn.Module, what: str) -> Dict[str, torch.Tensor]:
    """Refuse a runner checkpoint (read as :func:`runner_state_dict`) that lacks tensors of ``model``
    (BatchNorm's ``num_batches_tracked`` aside: BatchNorm fills it in) or holds them in another shape,
    where mmengine would only warn and keep the missing ones as initialised; ``what`` names the model.
    Returns the checkpoint's tensors, to load with ``strict=False``."""
    state = runner_state_dict(load_checkpoint_safely(checkpoint))
    fit = state_dict_fit(state, model.state_dict())
    fit['missing'] = [k for k in fit['missing'] if not k.endswith('num_batches_tracked')]
    misfit = describe_misfit(fit, ('missing', 'shape'))
    if misfit:
        raise DataError(f'{checkpoint} does not fit {what}: {misfit}. Give a checkpoint trained from this config '
                        '(a pre-training checkpoint holds a backbone only: fine-tune a detector from it first).')
    return state


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
