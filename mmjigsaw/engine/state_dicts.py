"""Where a checkpoint keeps its tensors, and how a state dict fits a model (missing keys, unexpected
keys, other shapes): the one comparison the exports, the weight loaders and the tools share."""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Sequence

import torch
from torch import nn

from mmjigsaw.errors import DataError
from .checkpoint import load_checkpoint_safely


def state_dict_of(checkpoint) -> Dict[str, torch.Tensor]:
    """The tensors of a loaded checkpoint: its ``state_dict`` (mmengine) or ``model`` entry, or the
    checkpoint itself when it is a plain state dict."""
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint, dict) and isinstance(checkpoint.get(key), dict):
            return checkpoint[key]
    return checkpoint


def runner_state_dict(checkpoint, path: str) -> Dict[str, torch.Tensor]:
    """The tensors mmengine's runner loads from a checkpoint (``load_from``, ``tools/test.py``): its
    ``state_dict`` entry or the whole dict, with a leading ``module.`` (a DDP model's) removed from each
    key, and the modules' versions (``_metadata``) kept. Unlike :func:`state_dict_of`, a ``model`` entry is
    not looked into: the runner does not. A checkpoint that holds no such mapping of names to tensors is
    refused, naming ``path``."""
    nested = isinstance(checkpoint, Mapping) and 'state_dict' in checkpoint
    state = checkpoint['state_dict'] if nested else checkpoint
    where = 'its "state_dict"' if nested else 'it has no "state_dict" entry, and as a plain state dict it'
    if not isinstance(state, Mapping):
        raise DataError(f'{path}: {where} holds a {type(state).__name__}, not names -> tensors.')
    odd = [f'{k!r}: {type(v).__name__}' for k, v in state.items()
           if not (isinstance(k, str) and isinstance(v, torch.Tensor))]
    if odd:
        raise DataError(f'{path}: {where} holds entries that are not name -> tensor ({", ".join(odd[:3])}).')
    tensors = OrderedDict((re.sub(r'^module\.', '', k), v) for k, v in state.items())
    if getattr(state, '_metadata', None) is not None:
        tensors._metadata = state._metadata  # what each module's _load_from_state_dict migrates by
    return tensors


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


def load_runner_checkpoint(path: str, model: nn.Module, what: str, hint: str = '') -> None:
    """Load a runner checkpoint (read as :func:`runner_state_dict`) into ``model`` as mmengine's runner
    does (``strict=False``, each module's own key migrations honoured), but refuse one that leaves
    tensors of ``model`` missing (BatchNorm's ``num_batches_tracked`` aside: BatchNorm fills it in) or
    holds them in another shape, where mmengine would only warn and keep them as initialised. ``what``
    names the model; ``hint`` ends the message."""
    state = runner_state_dict(load_checkpoint_safely(path), path)
    misfit = describe_misfit(state_dict_fit(state, model.state_dict()), ('shape', ))
    if not misfit:
        try:
            missing = model.load_state_dict(state, strict=False).missing_keys
        except RuntimeError as err:  # another shape under a key a module renamed while loading
            misfit = ' '.join(str(err).split('\n', 1)[-1].split())
        else:
            misfit = describe_misfit(dict(missing=[k for k in missing if not k.endswith('num_batches_tracked')]),
                                     ('missing', ))
    if misfit:
        raise DataError(f'{path} does not fit {what}: {misfit}.' + (f' {hint}' if hint else ''))
