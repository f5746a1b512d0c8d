"""The main job on the built-in demo data (what `make demo` runs).

    python tools/run_demo.py [--work-dir work_dirs/demo] [--data data/demo]

1. render the demo detection dataset (kept if already complete);
2. extract its samples into a store (kept if already complete);
3. save montage pictures;
4. Montage pre-training with the ERF hook (configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py),
   and its backbone exported;
5. draw the ERF maps of the trained and of a random network;
6. fine-tune the same detector twice with the same schedule, from the exported backbone (fine-tuned
   the paper's way: frozen stem and BN) and from random initialisation (a fair baseline: every
   layer trains, BN normalises with batch statistics), and evaluate both (COCO box AP);
7. print one table and write it to WORK_DIR/summary.json.

It is a one-seed run of the reproduction study's runner (mmjigsaw.study.demo), from the repository
root. The comparison at equal compute (the scratch detector given the pre-training's cost as extra
epochs), over several seeds and fine-tuning lengths, is the reproduction study's
(tools/analysis_tools/reproduce.py, docs/reproduction.md): it does not fit the demo's 15 minutes.
"""
import argparse
import json
import os
import os.path as osp

from mmjigsaw.study import ToolFailed
from mmjigsaw.study.demo import run_demo, summary_table


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data', default='data/demo')
    args = parser.parse_args()
    root = os.getcwd()
    try:
        summary = run_demo(osp.join(root, args.work_dir), osp.join(root, args.data), root)
    except ToolFailed as err:
        raise SystemExit(f'step failed: {err}') from None
    with open(osp.join(root, args.work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    print(summary_table(summary))
    print(f'wrote {osp.join(args.work_dir, "summary.json")}, montages in {args.work_dir}/montages/, '
          f'ERF maps {args.work_dir}/erf_trained.png and erf_random.png, heat maps per refresh in '
          f'{args.work_dir}/pretrain/erf/')


if __name__ == '__main__':
    main()
