"""Two small things every model-side caller of a backbone needs: its deepest feature map, and
running it in eval mode with the modules' modes given back afterwards."""
import contextlib
from typing import Iterator, Sequence, Union

import torch
from torch import nn


def deepest_feature(out: Union[torch.Tensor, Sequence[torch.Tensor]]) -> torch.Tensor:
    """The last (N, C, H, W) map of a backbone's output (a tensor, or a tuple/list ending with one)."""
    feat = out[-1] if isinstance(out, (tuple, list)) else out
    if not isinstance(feat, torch.Tensor) or feat.dim() != 4:
        raise TypeError(f'the deepest output is {type(feat).__name__} '
                        f'{tuple(getattr(feat, "shape", ()))}, not an (N, C, H, W) feature map')
    return feat


@contextlib.contextmanager
def eval_mode(module: nn.Module) -> Iterator[nn.Module]:
    """Every submodule in eval mode (BN uses and moves no batch statistics) for the ``with`` block;
    each gets its own mode back afterwards, also on an exception. Parameters are left as they are."""
    modules = list(module.modules())
    modes = [m.training for m in modules]
    for m in modules:
        m.training = False
    try:
        yield module
    finally:
        for m, mode in zip(modules, modes):
            m.training = mode
