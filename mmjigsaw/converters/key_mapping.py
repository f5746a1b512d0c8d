"""Renaming state-dict keys by module prefix, checked both ways; file hashes."""
from collections import OrderedDict
from typing import Iterable, List, Mapping, Sequence, Tuple

import torch

from mmjigsaw.engine import describe_misfit, state_dict_fit
from mmjigsaw.errors import DataError

#: (source module prefix, target module prefix) pairs, e.g. ('features.0.0', 'conv1.conv')
PrefixPairs = Sequence[Tuple[str, str]]


def rename_keys(state: Mapping[str, torch.Tensor], pairs: PrefixPairs, drop: Iterable[str] = (),
                source: str = 'the source') -> 'OrderedDict[str, torch.Tensor]':
    """Rename every key of ``state`` by the longest module prefix of ``pairs`` that owns it.

    A key is owned by prefix ``p`` when it reads ``p.<parameter or buffer name>``. Keys under a
    prefix in ``drop`` (e.g. an ImageNet classifier) are left out; any other key that no pair owns
    is an error, so nothing is lost silently.

    Args:
        state: source state dict.
        pairs: (source prefix, target prefix) module pairs.
        drop: source module prefixes to leave out.
        source: what ``state`` is, for messages.
    Returns:
        The renamed tensors (detached CPU clones), in the order of ``state``.
    """
    lookup = dict(pairs)
    drop = tuple(drop)
    out = OrderedDict()
    unmatched = []
    for key, value in state.items():
        if any(key == d or key.startswith(d + '.') for d in drop):
            continue
        module, _, leaf = key.rpartition('.')
        if module not in lookup:
            unmatched.append(key)
            continue
        out[f'{lookup[module]}.{leaf}'] = value.detach().cpu().clone()
    if unmatched:
        raise DataError(f'{source}: {len(unmatched)} keys that the mapping does not know, e.g. '
                        f'{unmatched[:4]}; is it the architecture the conversion is for?')
    return out


def invert(pairs: PrefixPairs) -> List[Tuple[str, str]]:
    """The pairs of the opposite conversion."""
    return [(dst, src) for src, dst in pairs]


def check_state_matches(state: Mapping[str, torch.Tensor], reference: Mapping[str, torch.Tensor],
                        what: str) -> None:
    """Raise a :class:`DataError` unless ``state`` has exactly the keys and shapes of ``reference``."""
    misfit = describe_misfit(state_dict_fit(state, reference))
    if misfit:
        raise DataError(f'{what}: {misfit}.')
