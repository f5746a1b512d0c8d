"""Soak: a long training run whose host memory is sampled over time (the run's whole process tree).

    python .dev_scripts/soak_train.py [CONFIG] [--iters 1000] [--workers 2] [--interval 5]
        [--work-dir work_dirs/soak] [--cfg-options k=v ...]

By default it trains the demo config (store data/make_demo/store_train_context, made by `make demo`) with a
narrow backbone (base_channels=8) and batch 8, so 1,000 iterations take minutes on 2 cores; ERF
refreshes every 100 iterations. Memory after warm-up (the first 10% of the iterations) must stay
within 10% of its value at the end of warm-up. The last line is JSON.
"""
import argparse
import json
import os
import os.path as osp
import re
import subprocess
import sys
import threading
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_CONFIG = osp.join(ROOT, 'configs', 'jigsaw', 'jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py')
ITER_RE = re.compile(r'Iter\(train\) \[\s*(\d+)/')


def tree_rss_mb(pid: int) -> float:
    """Resident memory (MB) of ``pid`` and all its descendants, from /proc."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f'/proc/{p}/status') as f:
                total += next(int(line.split()[1]) for line in f if line.startswith('VmRSS:'))
            for task in os.listdir(f'/proc/{p}/task'):
                with open(f'/proc/{p}/task/{task}/children') as f:
                    stack += [int(c) for c in f.read().split()]
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return total / 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', default=DEMO_CONFIG)
    parser.add_argument('--iters', type=int, default=1000)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--interval', type=float, default=5, help='seconds between memory samples')
    parser.add_argument('--work-dir', default='work_dirs/soak')
    parser.add_argument('--cfg-options', nargs='+', default=[])
    args = parser.parse_args()
    options = [f'train_cfg.max_iters={args.iters}', f'train_dataloader.num_workers={args.workers}',
               'train_dataloader.batch_size=8', 'model.backbone.base_channels=8', 'model.head.in_channels=64',
               f'train_dataloader.dataset.num_montages={args.iters * 8}', 'custom_hooks.0.interval=100',
               'default_hooks.logger.interval=50', 'default_hooks.checkpoint.interval=500', *args.cfg_options]
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'train.py'), args.config, '--work-dir', args.work_dir,
           '--cfg-options', *options]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    current_iter = [0]

    def follow_log():
        for line in proc.stdout:
            match = ITER_RE.search(line)
            if match:
                current_iter[0] = int(match.group(1))

    threading.Thread(target=follow_log, daemon=True).start()
    samples, start = [], time.time()
    print(f'{"time (s)":>9} {"iteration":>9} {"host RSS (MB)":>14}')
    while proc.poll() is None:
        rss = tree_rss_mb(proc.pid)
        samples.append((time.time() - start, current_iter[0], rss))
        print(f'{samples[-1][0]:9.0f} {current_iter[0]:9d} {rss:14.0f}', flush=True)
        time.sleep(args.interval)
    if proc.returncode:
        sys.exit(f'training failed (exit {proc.returncode}); see {args.work_dir}')
    warm = [s for s in samples if s[1] >= args.iters // 10]
    if len(warm) < 2:
        sys.exit('too few samples after warm-up: lower --interval')
    base = warm[0][2]
    peak = max(s[2] for s in warm)
    growth = peak / base - 1
    print(f'after warm-up (iteration {warm[0][1]}): {base:.0f} MB; peak afterwards {peak:.0f} MB '
          f'({100 * growth:+.1f}%); {"within" if growth <= 0.10 else "OVER"} the 10% bound')
    print(json.dumps(dict(iters=args.iters, workers=args.workers, seconds=round(samples[-1][0]),
                          rss_after_warmup_mb=round(base), rss_peak_after_warmup_mb=round(peak),
                          growth=round(growth, 4), within_10_percent=growth <= 0.10)))


if __name__ == '__main__':
    main()
