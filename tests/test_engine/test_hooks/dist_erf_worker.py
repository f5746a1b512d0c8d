"""Run by test_erf_update_hook.py under torchrun with 2 processes (gloo on the CPU), with tests/ on
PYTHONPATH (for helpers).

Each rank builds the real Runner, refreshes the ERF table once through ERFUpdateHook, and saves
its rank-local ERF and the table it ends with to OUT/rank{R}.pt.
"""
import os.path as osp
import sys

import torch
import torch.distributed as dist
from mmengine.runner import Runner

from mmjigsaw.apis import register_all_modules
from mmjigsaw.engine import init_distributed
from mmjigsaw.models import compute_erf
from helpers import tiny_pretrain_cfg


def main(out: str, store: str) -> None:
    register_all_modules(init_default_scope=False)
    cfg = tiny_pretrain_cfg(store, out, max_iters=0)
    cfg.custom_hooks = [dict(type='ERFUpdateHook', interval=2, num_images=1)]
    cfg.launcher = 'pytorch'
    init_distributed(cfg, 'pytorch')
    runner = Runner.from_cfg(cfg)
    runner.train()  # builds the DDP model, optimizer and loop; no iterations
    hook = next(h for h in runner.hooks if type(h).__name__ == 'ERFUpdateHook')
    model = runner.model.module
    local = compute_erf(model.backbone, hook.sample_batch(runner)['inputs'])
    table = hook.refresh(runner).clone()
    torch.save(dict(local_erf=local, table=table), osp.join(out, f'rank{dist.get_rank()}.pt'))
    dist.destroy_process_group()  # left to the interpreter's exit, gloo can abort a rank


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2])
