"""What the timm and torchvision wrappers share: importing the library, loading local weights safely,
and the fine-tuning switches (BN in eval mode, frozen leading modules)."""
import importlib
from collections import OrderedDict
from typing import Dict, Iterable, List

import torch
from mmengine.model.weight_init import initialize
from torch import nn
from torch.nn.modules.batchnorm import _BatchNorm

from mmjigsaw.errors import ConfigError, DataError

#: prefixes that wrap a backbone's own keys in common checkpoints
WRAPPER_PREFIXES = ('module.', 'backbone.', 'model.')


def import_library(name: str, wrapper: str):
    """Import ``timm`` / ``torchvision``, or say in one line why the wrapper cannot be used."""
    try:
        return importlib.import_module(name)
    except Exception as err:  # noqa: BLE001 - a torchvision built for another torch raises RuntimeError
        raise ConfigError(f'{wrapper} needs {name}, which does not import here ({type(err).__name__}: '
                          f'{str(err).splitlines()[0] if str(err) else ""}); install {name} with a torchvision '
                          f'built for this torch ({torch.__version__}).') from None


def load_local_weights(path: str) -> 'OrderedDict[str, torch.Tensor]':
    """A local checkpoint's tensors (``torch.load(weights_only=True)``), unwrapped from ``state_dict`` /
    ``model`` and from the prefixes of :data:`WRAPPER_PREFIXES` shared by every key."""
    from mmjigsaw.engine import load_checkpoint_safely, state_dict_of  # mmjigsaw.engine imports the models
    state = OrderedDict(state_dict_of(load_checkpoint_safely(path)))
    stripped = True
    while stripped and state:
        stripped = False
        for prefix in WRAPPER_PREFIXES:
            if all(k.startswith(prefix) for k in state):
                state = OrderedDict((k[len(prefix):], v) for k, v in state.items())
                stripped = True
    return state


def load_into(model: nn.Module, state: Dict[str, torch.Tensor], source: str,
              ignore: Iterable[str] = ()) -> List[str]:
    """Load ``state`` into ``model``: every model key must be there with its shape; keys the model
    lacks (e.g. an ImageNet classifier) are skipped and returned. ``ignore`` lists prefixes of model
    keys allowed to stay as initialised."""
    from mmjigsaw.engine import describe_misfit, state_dict_fit  # mmjigsaw.engine imports the models
    fit = state_dict_fit(state, model.state_dict())
    fit['missing'] = [k for k in fit['missing'] if not k.startswith(tuple(ignore))]
    misfit = describe_misfit(fit, ('missing', 'shape'))
    if misfit:
        raise DataError(f'{source} does not fit the model: {misfit}.')
    model.load_state_dict({k: v for k, v in state.items() if k not in fit['unexpected']}, strict=False)
    return fit['unexpected']


def init_wrapped_model(backbone: nn.Module) -> None:
    """``init_weights`` of a wrapper (``backbone.model`` a timm / torchvision model): the library
    initialised its model when it built it, so nothing is re-initialised (mmengine's default would call
    the library modules' own ``init_weights``); an ``init_cfg`` (``Pretrained``, as mmdet configs load a
    backbone) is applied to the wrapper, then the local weights of ``backbone.checkpoint`` are loaded."""
    if backbone.init_cfg:
        initialize(backbone, backbone.init_cfg)
    if backbone.checkpoint:
        load_into(backbone.model, load_local_weights(backbone.checkpoint), backbone.checkpoint)
    backbone._is_init = True


def set_norm_eval(module: nn.Module) -> None:
    """BatchNorm layers to eval mode: statistics frozen, as mmdet fine-tunes a pre-trained backbone."""
    for m in module.modules():
        if isinstance(m, _BatchNorm):
            m.eval()


def freeze(modules: Iterable[nn.Module]) -> None:
    """No gradients and eval mode for ``modules``."""
    for m in modules:
        m.eval()
        for p in m.parameters():
            p.requires_grad = False
