"""Evaluate a trained detector on its config's test set (COCO box AP for the configs in configs/det/).

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out results.pkl]
        [--cfg-options k=v ...] [--launcher none|pytorch|slurm|mpi]

Multi-process evaluation goes through tools/dist_test.sh. The checkpoint loads with
torch.load(weights_only=True): one whose pickle would run code is refused, and so is one that leaves
tensors of the config's model missing or gives them another shape (extra keys are ignored; mmengine
would only warn and evaluate the missing weights as initialised, e.g. a pre-training checkpoint given
for a detector). The metrics are printed,
logged and written to WORK_DIR/<timestamp>/vis_data/scalars.json.
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmjigsaw.apis import apply_run_options, register_all_modules, run_cli
from mmjigsaw.engine import init_distributed, load_runner_checkpoint
from mmjigsaw.engine.distributed import unwrapped_model
from mmjigsaw.errors import ConfigError, DataError


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint to evaluate')
    parser.add_argument('--work-dir', help='where the logs go (default: work_dirs/<config name>)')
    parser.add_argument('--out', help='also dump the raw predictions to this .pkl file')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys: k=v')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local-rank', '--local_rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args) -> Config:
    """Fold the command-line options into the config."""
    apply_run_options(cfg, args.config, args.launcher, args.cfg_options, args.work_dir)
    if cfg.get('test_dataloader') is None or cfg.get('test_evaluator') is None:
        raise ConfigError(f'{args.config}: no test_dataloader or test_evaluator; tools/test.py evaluates '
                          'detector configs (configs/det/).')
    cfg.load_from, cfg.resume = args.checkpoint, False
    if args.out:
        if not args.out.endswith(('.pkl', '.pickle')):
            raise ConfigError(f'--out {args.out}: the predictions are written as a .pkl file.')
        dump = dict(type='DumpDetResults', out_file_path=args.out)
        evaluators = cfg.test_evaluator if isinstance(cfg.test_evaluator, list) else [cfg.test_evaluator]
        cfg.test_evaluator = [*evaluators, dump]
    return cfg


def main():
    args = parse_args()
    if not osp.isfile(args.config):
        raise ConfigError(f'{args.config}: config file not found.')
    if not osp.isfile(args.checkpoint):
        raise DataError(f'{args.checkpoint}: checkpoint not found.')
    register_all_modules(init_default_scope=False)
    cfg = merge_args(Config.fromfile(args.config), args)
    if args.launcher != 'none':
        init_distributed(cfg, args.launcher)
    runner = Runner.from_cfg(cfg)
    # loaded once here for the check, and again by the runner, so that hooks (EMAHook) see the load
    load_runner_checkpoint(args.checkpoint, unwrapped_model(runner), f'the model of {args.config}',
                           hint='Evaluate a checkpoint trained from this config (a pre-training checkpoint '
                           'holds a backbone only: fine-tune a detector from it first).')
    metrics = runner.test()
    if runner.rank == 0:
        print(f'evaluated {args.checkpoint} on {len(runner.test_dataloader.dataset)} images:')
        for key, value in metrics.items():
            print(f'  {key}: {value}')
        if args.out:
            print(f'wrote the predictions to {args.out}')


if __name__ == '__main__':
    run_cli(main)
