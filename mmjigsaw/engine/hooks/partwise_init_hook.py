"""Each part of a model initialised from a random stream of its own."""
import zlib

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmjigsaw.registry import HOOKS


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
    head, so the runs of one seed in two arms of a comparison pair up. It runs before the runner's
    own initialisation (``before_run``), which then finds the parts initialised and leaves them; a
    checkpoint loaded with ``load_from`` or ``resume`` still overwrites them.
    """

    priority = 'VERY_HIGH'

    def before_run(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        devices = sorted({p.device.index for p in model.parameters() if p.is_cuda})
        for name, part in model.named_children():
            if not hasattr(part, 'init_weights') or getattr(part, 'is_init', False):
                continue
            with torch.random.fork_rng(devices=devices):
                torch.manual_seed(part_seed(runner.seed, name))
                part.init_weights()
