"""Each part of a model initialised from a random stream of its own."""
import zlib

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.runner import BaseLoop

from mmjigsaw.registry import HOOKS
from ..distributed import unwrapped_model


def part_seed(seed: int, name: str) -> int:
    """The seed of part ``name`` (say ``'neck'``) in a run seeded with ``seed``: 32 bits mixed from both."""
    return int(np.random.SeedSequence([seed % 2**32, zlib.crc32(name.encode())]).generate_state(1)[0])


@HOOKS.register_module()
class PartwiseInitHook(Hook):
    """Initialise each top-level part of the model (backbone, neck, heads) from its own random
    stream, seeded by the run's seed (``randomness.seed``) and the part's name.

    mmengine initialises the parts one after the other from one global stream, so a part's initial
    weights depend on how many numbers the parts before it drew: a pre-trained backbone draws none, a
    randomly initialised one many. With this hook a seed gives the neck and heads the same initial
    weights whatever the backbone starts from, and a pre-training's backbone the same whatever its
    head, so the runs of one seed in two arms of a comparison pair up. It acts before a training
    run's own initialisation (``before_run`` of ``Runner.train``), marks each part initialised so that
    mmengine leaves it as it is (also a part whose ``init_weights`` does not say so itself), and does
    nothing in ``Runner.val`` / ``Runner.test``, which load their weights and initialise nothing. A
    checkpoint loaded with ``load_from`` or ``resume`` still overwrites the parts.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        if not isinstance(runner._train_loop, BaseLoop):  # Runner.train builds its loop before this call
            return
        model = unwrapped_model(runner)
        devices = sorted({p.device.index for p in model.parameters() if p.is_cuda})
        parts = [(name, part) for name, part in model.named_children()
                 if hasattr(part, 'init_weights') and not getattr(part, 'is_init', False)]
        for name, part in parts:
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(part_seed(runner.seed, name))
                part.init_weights()
            part._is_init = True
        runner.logger.info(f'PartwiseInitHook: initialised {", ".join(name for name, _ in parts)}, each from its own '
                           f'seed (randomness.seed {runner.seed} and its name); the model\'s own initialisation '
                           'leaves them as they are.')
