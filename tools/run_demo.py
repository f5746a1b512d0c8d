"""The main job on the built-in demo data (what `make demo` runs).

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data data/demo]

1. render the demo detection dataset (kept if already complete);
2. extract its samples into a store (kept if already complete);
3. save montage pictures;
4. Montage pre-training with the ERF hook (configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py);
5. export the backbone and draw its ERF maps;
6. fine-tune the same detector twice with the same schedule, from the exported backbone and from
   random initialisation, and evaluate both (COCO box AP through pycocotools);
7. print one table and write it to WORK_DIR/summary.json.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PRETRAIN_CONFIG = 'configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py'
DET_CONFIGS = {'pretrained': 'configs/det/faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py',
               'scratch': 'configs/det/faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py'}


#: Lines of a training log that the terminal shows (the whole log goes to a file).
PROGRESS_MARKS = ('Iter(train)', 'Epoch(train)', 'Epoch(val)', 'ERFUpdateHook', 'bbox_mAP_copypaste')


def step(title: str) -> None:
    print(f'\n==> {title}', flush=True)


def run(*args: str, log: str = None) -> float:
    """Run a tool of this repository with this Python; its output goes to the terminal and ``log``.
    Returns the wall time (s)."""
    start = time.time()
    cmd = [sys.executable, *args]
    print('$ ' + ' '.join(cmd[1:]), flush=True)
    with subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        with open(log, 'w') if log else open(os.devnull, 'w') as sink:
            for line in proc.stdout:
                sink.write(line)
                if log is None or 'mmengine - INFO - ' in line and any(k in line for k in PROGRESS_MARKS):
                    print(line, end='', flush=True)
    if proc.returncode:
        raise SystemExit(f'step failed (exit {proc.returncode}): {" ".join(args)}' + (f'; log: {log}' if log else ''))
    return time.time() - start


def final_bbox_map(work_dir: str) -> float:
    """The last ``coco/bbox_mAP`` mmengine logged in ``work_dir``."""
    value = None
    for path in sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))):
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'coco/bbox_mAP' in record:
                    value = record['coco/bbox_mAP']
    if value is None:
        raise SystemExit(f'no coco/bbox_mAP logged under {work_dir}')
    return value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data', default='data/demo')
    args = parser.parse_args()
    work_dir, data = osp.join(ROOT, args.work_dir), osp.join(ROOT, args.data)
    store = osp.join(data, 'store_train')
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    start = time.time()

    step('1/7 demo detection dataset')
    if osp.isfile(osp.join(data, 'annotations', 'instances_val.json')):
        print(f'{data} already there')
    else:
        shutil.rmtree(data, ignore_errors=True)
        run('tools/misc/make_demo_dataset.py', '--out', data)

    step('2/7 sample store')
    if osp.isfile(osp.join(store, 'meta.json')):
        print(f'{store} already there')
    else:
        run('tools/extract_samples.py', '--ann', osp.join(data, 'annotations', 'instances_train.json'),
            '--img-dir', osp.join(data, 'train'), '--out', store, '--workers', '2')

    step('3/7 montage pictures')
    run('tools/analysis_tools/browse_dataset.py', PRETRAIN_CONFIG, '--out', osp.join(work_dir, 'montages'),
        '--num', '16', '--cfg-options', f'train_dataloader.dataset.store={store}')

    step('4/7 Montage pre-training with the ERF-adaptive dense head')
    pretrain_dir = osp.join(work_dir, 'pretrain')
    pretrain_seconds = run('tools/train.py', PRETRAIN_CONFIG, '--work-dir', pretrain_dir, '--cfg-options',
                           f'train_dataloader.dataset.store={store}', log=osp.join(work_dir, 'pretrain.log'))

    step('5/7 backbone export and ERF maps')
    with open(osp.join(pretrain_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    backbone = osp.join(work_dir, 'backbone.pth')
    run('tools/model_converters/extract_backbone.py', checkpoint, backbone)
    run('tools/analysis_tools/visualize_erf.py', PRETRAIN_CONFIG, checkpoint, '--out',
        osp.join(work_dir, 'erf_trained.png'), '--cfg-options', f'train_dataloader.dataset.store={store}')
    run('tools/analysis_tools/visualize_erf.py', PRETRAIN_CONFIG, '--out', osp.join(work_dir, 'erf_random.png'),
        '--cfg-options', f'train_dataloader.dataset.store={store}')

    results = {}
    for i, (name, config) in enumerate(DET_CONFIGS.items()):
        step(f'{6 + i}/7 Faster R-CNN fine-tuning from the {name} backbone')
        det_dir = osp.join(work_dir, f'det_{name}')
        options = [f'train_dataloader.dataset.data_root={data}/', f'val_dataloader.dataset.data_root={data}/',
                   f'test_dataloader.dataset.data_root={data}/',
                   f'val_evaluator.ann_file={data}/annotations/instances_val.json',
                   f'test_evaluator.ann_file={data}/annotations/instances_val.json']
        if name == 'pretrained':
            options.append(f'model.backbone.init_cfg.checkpoint={backbone}')
        seconds = run('tools/train.py', config, '--work-dir', det_dir, '--cfg-options', *options,
                      log=osp.join(work_dir, f'det_{name}.log'))
        results[name] = (final_bbox_map(det_dir), seconds)

    summary = dict(pretrained_bbox_mAP=results['pretrained'][0], scratch_bbox_mAP=results['scratch'][0],
                   pretrain_seconds=round(pretrain_seconds, 1),
                   finetune_seconds=dict(pretrained=round(results['pretrained'][1], 1),
                                         scratch=round(results['scratch'][1], 1)),
                   total_seconds=round(time.time() - start, 1))
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print('\n| backbone init | box AP (val) | fine-tune (s) |\n|---|---|---|')
    for name, (ap, seconds) in results.items():
        print(f'| {"Montage pre-trained" if name == "pretrained" else "random (scratch)"} | {ap:.3f} | {seconds:.0f} |')
    print(f'\nMontage pre-training: {pretrain_seconds:.0f} s; all steps: {summary["total_seconds"]:.0f} s')
    print(f'wrote {osp.join(args.work_dir, "summary.json")}, montages in {args.work_dir}/montages/, '
          f'ERF maps {args.work_dir}/erf_trained.png and erf_random.png, heat maps per refresh in '
          f'{args.work_dir}/pretrain/erf/')


if __name__ == '__main__':
    main()
