"""Train with mmengine's Runner: montage pre-training, or an mmdet detector from its config.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [auto|PATH]] [--amp] [--auto-scale-lr]
        [--no-validate] [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

Multi-process training goes through tools/dist_train.sh (torchrun) or tools/slurm_train.sh. On a
machine without CUDA the process group uses gloo and the model trains with CPU DDP. Every local
checkpoint the run loads (load_from, --resume, the one --resume auto finds, Pretrained init_cfgs) is read
with torch.load(weights_only=True) first, so a missing, unreadable or unsafe one is named before anything
is built; weights given by URL are downloaded and loaded by torch.hub, as mmengine does.
"""
import argparse
import os
import pickle

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmjigsaw.apis import apply_run_options, register_all_modules, run_cli
from mmjigsaw.engine import (UNSAFE_MESSAGE, UnsafeCheckpointError, init_distributed, load_checkpoint_safely,
                             run_checkpoints, use_mixed_precision)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('--work-dir', help='where logs and checkpoints go (default: work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', const='auto', default=None,
                        help='resume from PATH, or from the latest checkpoint in the work dir (auto)')
    parser.add_argument('--amp', action='store_true', help='mixed precision (bf16 where supported)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual batch size over auto_scale_lr.base_batch_size')
    parser.add_argument('--no-validate', action='store_true',
                        help='skip the evaluation during training (detector configs evaluate every val_interval)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys: k=v')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    """Fold the command-line options into the config."""
    apply_run_options(cfg, args.config, args.launcher, args.cfg_options, args.work_dir)
    if args.amp:
        use_mixed_precision(cfg)
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', dict(enable=True, base_batch_size=512))
        cfg.auto_scale_lr.enable = True
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume:
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def main():
    args = parse_args()
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    if args.launcher != 'none':
        init_distributed(cfg, args.launcher)
    local, urls = run_checkpoints(cfg)
    for path in local:
        load_checkpoint_safely(path)  # a missing, unreadable or refused file is named before anything runs
    try:
        Runner.from_cfg(cfg).train()
    except pickle.UnpicklingError:  # torch.hub refused a downloaded checkpoint (or a backbone's own pretrained=)
        raise UnsafeCheckpointError(f'{" or ".join(urls) or "a checkpoint"}: {UNSAFE_MESSAGE}') from None


if __name__ == '__main__':
    run_cli(main)
