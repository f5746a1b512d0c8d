"""The main job on the built-in demo data (what `make demo` runs).

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data data/demo]

1. render the demo detection dataset (kept if already complete);
2. extract its samples into a store (kept if already complete);
3. save montage pictures;
4. Montage pre-training with the ERF hook (configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py);
5. export the backbone and draw its ERF maps;
6. fine-tune the same detector twice with the same schedule, from the exported backbone (fine-tuned
   the paper's way: frozen stem and BN) and from random initialisation (a fair baseline: every
   layer trains, BN normalises with batch statistics), and evaluate both (COCO box AP);
7. print one table and write it to WORK_DIR/summary.json.

The comparison at equal compute (the scratch detector given the pre-training's cost as extra
epochs), over several seeds and fine-tuning lengths, is the reproduction study's
(tools/analysis_tools/reproduce.py, docs/reproduction.md): it does not fit the demo's 15 minutes.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import time

from mmjigsaw.utils import REPO_ROOT, ToolFailed, last_logged, run_tool

PRETRAIN_CONFIG = 'configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py'
DET_CONFIGS = {'pretrained': 'configs/det/faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py',
               'scratch': 'configs/det/faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py'}


#: Lines of a training log that the terminal shows (the whole log goes to a file).
PROGRESS_MARKS = ('Iter(train)', 'Epoch(train)', 'Epoch(val)', 'ERFUpdateHook', 'bbox_mAP_copypaste')


def step(title: str) -> None:
    print(f'\n==> {title}', flush=True)


def is_progress(line: str) -> bool:
    return 'mmengine - INFO - ' in line and any(k in line for k in PROGRESS_MARKS)


def run(*args: str, log: str = None) -> float:
    """Run a tool of this repository with this Python: the whole output goes to ``log`` (progress
    lines to the terminal too), or all of it to the terminal. Returns the wall time (s)."""
    print('$ ' + ' '.join(args), flush=True)
    try:
        return run_tool(args, log=log, echo=is_progress).wall
    except ToolFailed as err:
        raise SystemExit(f'step failed: {err}') from None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data', default='data/demo')
    args = parser.parse_args()
    work_dir, data = osp.join(REPO_ROOT, args.work_dir), osp.join(REPO_ROOT, args.data)
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
        results[name] = (last_logged(det_dir, 'coco/bbox_mAP'), seconds)

    summary = dict(pretrained_bbox_mAP=results['pretrained'][0], scratch_bbox_mAP=results['scratch'][0],
                   pretrain_seconds=round(pretrain_seconds, 1),
                   finetune_seconds=dict(pretrained=round(results['pretrained'][1], 1),
                                         scratch=round(results['scratch'][1], 1)),
                   total_seconds=round(time.time() - start, 1))
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    labels = dict(pretrained='Montage pre-trained (frozen stem and BN)',
                  scratch='random init (every layer trains, BN in train mode)')
    print('\n| backbone init | box AP (val) | fine-tune (s) |\n|---|---|---|')
    for name, (ap, seconds) in results.items():
        print(f'| {labels[name]} | {ap:.3f} | {seconds:.0f} |')
    print(f'\nMontage pre-training: {pretrain_seconds:.0f} s; all steps: {summary["total_seconds"]:.0f} s')
    print('Same fine-tuning schedule, one seed. The pre-training costs extra compute: the comparison at equal '
          'compute, with seeds and several lengths, is in docs/reproduction.md '
          '(tools/analysis_tools/reproduce.py).')
    print(f'wrote {osp.join(args.work_dir, "summary.json")}, montages in {args.work_dir}/montages/, '
          f'ERF maps {args.work_dir}/erf_trained.png and erf_random.png, heat maps per refresh in '
          f'{args.work_dir}/pretrain/erf/')


if __name__ == '__main__':
    main()
