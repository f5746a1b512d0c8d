"""Training throughput of the real path against its ceiling, the data wait, memory, and the ERF cost.

    python tools/analysis_tools/benchmark_train.py CONFIG [--iters 50] [--device cpu|cuda] [--amp]
        [--batch-size B] [--workers W] [--channels-last] [--no-pin-memory] [--profile DIR]
        [--cfg-options k=v ...]

--amp is tools/train.py's: bfloat16 autocast where the device has it (CPUs, recent GPUs), else
float16 with loss scaling.

Real path: the config's store -> DataLoader (W workers) -> data preprocessor -> model with its head
-> optimizer step. Ceiling: the same model and optimizer fed one synthetic uint8 batch already on
the device. Both run --iters timed iterations after warm-up. The ERF refresh (ERFUpdateHook's
settings from the config) is timed too, in the optimizer wrapper's autocast as the hook runs it,
and reported as a fraction of the training time between two refreshes. On a GPU the loader pins its
batches' memory unless --no-pin-memory. After all the timings, --profile DIR runs a few more steps of
each path under torch.profiler: wall and GPU-busy time per step and the operators with the most CPU
time side by side (where the real path loses time against the ceiling), Chrome traces of both in DIR.
The last line is JSON.
"""
import argparse
import json
import os
import os.path as osp
import resource
import time

import torch
from mmengine.config import DictAction
from mmengine.dataset import pseudo_collate
from mmengine.optim import build_optim_wrapper
from mmengine.runner import Runner

from mmjigsaw.apis import load_config, run_cli
from mmjigsaw.benchmark import StepProfile, profile_steps, synchronize
from mmjigsaw.engine import use_mixed_precision
from mmjigsaw.models import compute_erf
from mmjigsaw.registry import MODELS

WARMUP_ITERS = 5
PROFILE_STEPS = 5
PROFILE_TOP_OPS = 12


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('--iters', type=int, default=50, help='timed iterations of each path')
    parser.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    parser.add_argument('--amp', action='store_true', help='mixed precision (bf16 where supported), as tools/train.py')
    parser.add_argument('--batch-size', type=int, help='montages per iteration (default: the config)')
    parser.add_argument('--workers', type=int, help='DataLoader workers (default: the config)')
    parser.add_argument('--channels-last', action='store_true', help='NHWC memory for the backbone')
    parser.add_argument('--no-pin-memory', action='store_true', help='the loader does not pin batches on a GPU')
    parser.add_argument('--profile', metavar='DIR', help=f'profile {PROFILE_STEPS} more steps of each path, '
                        'traces in DIR')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def timed_steps(model, optim_wrapper, batches, iters: int, device: str):
    """Run WARMUP_ITERS + iters training steps; returns (seconds, data-wait seconds) of the timed ones."""
    wait = 0.0
    for i in range(WARMUP_ITERS + iters):
        if i == WARMUP_ITERS:
            synchronize(device)
            start, wait = time.perf_counter(), 0.0
        fetch = time.perf_counter()
        data = next(batches)
        wait += time.perf_counter() - fetch
        model.train_step(data, optim_wrapper)
    synchronize(device)
    return time.perf_counter() - start, wait


def print_profiles(real: StepProfile, ceiling: StepProfile) -> None:
    """The two paths' profiles side by side: time and GPU use per step, then the real path's
    heaviest CPU operators with the ceiling's time in the same operator."""
    print(f'profile over {real.steps} steps of each path (torch.profiler; its overhead is in both):')
    for name, prof in (('real path', real), ('ceiling', ceiling)):
        gpu = f'   GPU busy {prof.device_ms:8.1f} ms/step ({100 * prof.device_busy:.0f}%)' if prof.device_ms else ''
        print(f'  {name:<10} {prof.wall_ms:8.1f} ms/step{gpu}')
    print('  self CPU ms/step (threads the profiler saw: not the pin-memory thread)   real path | ceiling')
    for op, ms in real.top_cpu_ops(PROFILE_TOP_OPS):
        print(f'    {op[:48]:<48} {ms:8.2f} | {ceiling.cpu_ms_by_op.get(op, 0.0):8.2f}')


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    loader_cfg = cfg.train_dataloader
    if args.batch_size:
        loader_cfg.batch_size = args.batch_size
    if args.workers is not None:
        loader_cfg.num_workers = args.workers
        loader_cfg.persistent_workers = args.workers > 0
    loader_cfg.pin_memory = args.device.startswith('cuda') and not args.no_pin_memory
    if args.channels_last:
        cfg.model.data_preprocessor.channels_last = True
    if cfg.model.backbone.get('norm_cfg', {}).get('type') == 'SyncBN':
        cfg.model.backbone.norm_cfg.type = 'BN'  # one process
    model = MODELS.build(cfg.model).to(args.device)
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    model.init_weights()
    model.train()
    if args.amp:
        use_mixed_precision(cfg)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    batch = loader_cfg.batch_size

    loader = Runner.build_dataloader(loader_cfg, seed=0)
    batches = iter(loader)
    real_s, wait_s = timed_steps(model, optim_wrapper, batches, args.iters, args.device)
    real = args.iters * batch / real_s
    print(f'real path: {real:9.1f} img/s   data wait {1000 * wait_s / args.iters:.1f} ms/iter '
          f'({100 * wait_s / real_s:.1f}% of the time)')

    sample = pseudo_collate([loader.dataset[i] for i in range(batch)])
    synthetic = dict(inputs=torch.stack(sample['inputs']).to(args.device), data_samples=sample['data_samples'])
    ceiling_s, _ = timed_steps(model, optim_wrapper, iter(lambda: synthetic, None), args.iters, args.device)
    ceiling = args.iters * batch / ceiling_s
    print(f'ceiling:   {ceiling:9.1f} img/s   (synthetic batch on {args.device})')

    hook_cfg = next((h for h in cfg.get('custom_hooks', []) if h['type'] == 'ERFUpdateHook'), None)
    erf_fraction = None
    if hook_cfg is not None:
        num_images, interval = hook_cfg.get('num_images', 8), hook_cfg.get('interval', 5000)
        imgs = model.data_preprocessor(pseudo_collate([loader.dataset[i] for i in range(num_images)]))['inputs']
        with optim_wrapper.optim_context(model):
            compute_erf(model.backbone, imgs)  # warm-up
            synchronize(args.device)
            start = time.perf_counter()
            compute_erf(model.backbone, imgs)
            synchronize(args.device)
        refresh_s = time.perf_counter() - start
        erf_fraction = refresh_s / (interval * real_s / args.iters)
        print(f'ERF refresh: {1000 * refresh_s:.0f} ms over {num_images} montages = '
              f'{100 * erf_fraction:.4f}% of {interval} training iterations')

    host_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    device_mb = torch.cuda.max_memory_allocated() / 2**20 if args.device.startswith('cuda') else None
    print(f'peak memory: host {host_mb:.0f} MB (main process)' +
          (f', device {device_mb:.0f} MB' if device_mb is not None else ''))

    profiles = {}
    if args.profile:  # after every timing: the profiler's cost stays out of them
        os.makedirs(args.profile, exist_ok=True)
        profiles['real'] = profile_steps(lambda: model.train_step(next(batches), optim_wrapper), PROFILE_STEPS,
                                         args.device, osp.join(args.profile, 'real_path_trace.json'))
        profiles['ceiling'] = profile_steps(lambda: model.train_step(synthetic, optim_wrapper), PROFILE_STEPS,
                                            args.device, osp.join(args.profile, 'ceiling_trace.json'))
        print_profiles(profiles['real'], profiles['ceiling'])
    print(json.dumps(dict(real_img_per_s=round(real, 1), ceiling_img_per_s=round(ceiling, 1),
                          ratio=round(real / ceiling, 3),
                          erf_refresh_fraction=None if erf_fraction is None else float(f'{erf_fraction:.3g}'),
                          peak_mem_mb=dict(host=round(host_mb), device=None if device_mb is None else round(device_mb)),
                          data_wait_ms_per_iter=round(1000 * wait_s / args.iters, 2), device=args.device,
                          amp=args.amp, optim_wrapper=type(optim_wrapper).__name__, batch_size=batch,
                          pin_memory=loader_cfg.pin_memory, torch=torch.__version__,
                          profile=None if not profiles else {
                              name: dict(wall_ms=round(p.wall_ms, 2), device_ms=round(p.device_ms, 2))
                              for name, p in profiles.items()})))


if __name__ == '__main__':
    run_cli(main)
