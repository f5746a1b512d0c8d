"""The main job on the built-in demo data (what `make demo` runs): Montage pre-training + L fine-tuning
epochs against random init given the pre-training's compute, one seed, in about 10 minutes on 2 CPU cores.

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data DATA]

Each run starts over: the work dir of an earlier demo is emptied (a folder the demo did not make is
refused), the data and the sample store are kept when complete.

1. render the demo detection dataset (configs/reproduce/make_demo.py: its size and seed; kept if complete);
2. extract its samples into a store (kept if complete);
3. save montage pictures;
4. Montage pre-training with the ERF hook, and its backbone exported;
5. draw the ERF maps of the trained and of a random network;
6. fine-tune Faster R-CNN from the exported backbone (the paper's way: frozen stem and BN) for L epochs,
   box AP after every epoch;
7. fine-tune it from random initialisation (every layer trains, BN in train mode) for L + E epochs,
   E = round(P / f_m): P the pre-training's measured CPU seconds, f_m one Montage fine-tuning epoch's;
8. plot box AP against compute (pre-training included) for both: WORK_DIR/compute_curve.png;
9. draw both detectors' detections on the same val images beside the ground truth: WORK_DIR/detections.png;
then print one table; WORK_DIR/summary.json is written after step 7 and again at the end.

It is one seed of the reproduction study's runner (mmjigsaw.study.demo), from the repository root; one
seed cannot decide, the study (several seeds and lengths, a paired test) is
tools/analysis_tools/reproduce.py, docs/reproduction.md.
"""
import argparse
import os
import os.path as osp

from mmjigsaw.apis import run_cli
from mmjigsaw.study import ToolFailed
from mmjigsaw.study.demo import run_demo, summary_table


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo', help='output folder (emptied if the demo made it)')
    parser.add_argument('--data', default='', help='folder the demo renders its data into (default: the demo '
                        'config\'s, data/make_demo); not your own data')
    args = parser.parse_args()
    root = os.getcwd()
    try:
        summary = run_demo(osp.join(root, args.work_dir), root, data_root=args.data and osp.join(root, args.data))
    except ToolFailed as err:
        raise SystemExit(f'step failed: {err}') from None
    print(summary_table(summary))
    print(f'wrote {args.work_dir}/summary.json, {args.work_dir}/compute_curve.png (box AP against compute), '
          f'{args.work_dir}/detections.png (both detectors on the same val images), montages in '
          f'{args.work_dir}/montages/, ERF maps {args.work_dir}/erf_trained.png and erf_random.png, heat maps per '
          f'refresh in {args.work_dir}/pretrain/erf/')


if __name__ == '__main__':
    run_cli(main)
