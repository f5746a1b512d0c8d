"""A seeded reproduction of the paper's claims: the compute curve, initialisations and ablations.

    python tools/analysis_tools/reproduce.py configs/reproduce/reproduce_demo.py --out work_dirs/reproduce
        [--only curve,init,heads,context,assembly] [--quick] [--budget-minutes M] [--doc docs/reproduction.md]

Every cell of the study is one training run (`tools/train.py`, or `tools/dist_train.sh` for several
GPUs) of a config named in the study config, with one seed:

- pre-training: the backbone's Montage pre-training config (a variant for the ablations), then
  its backbone exported with tools/model_converters/extract_backbone.py;
- fine-tuning: a detector config, from that backbone ('montage'), ImageNet weights ('imagenet') or
  random initialisation ('scratch'), for a number of epochs with the lr steps of the study config.

Compute is counted in CPU seconds on CPUs (every process of a run, data workers included; each run
also records the load average) and in GPU seconds (wall x GPUs) with the dist launcher, and in images
processed; wall seconds are reported too. Equal compute: a scratch run at "equal compute" with a
Montage run of L epochs fine-tunes for L + E epochs, E calibrated on the study's first seed and kept
in the results (--quick fixes E). Running order: the curve's shortest length and the initialisation
rows first, then the curve's longer lengths, then the ablations, seed by seed within each.

Every finished run is added to DOC_DIR/runs.json at once (DOC_DIR: the --doc path without ".md"),
so a rerun skips finished cells, and a run that was cut short starts again. After every run the
report is rewritten: --doc (tables against the paper's claims, mean +- std over seeds, what was left
out), DOC_DIR/compute_curve.png and DOC_DIR/ablations.png. --budget-minutes stops starting new runs
after that many minutes; the report then lists the missing cells. The study runs from the repository
root. The work is done by mmjigsaw.study.
"""
import argparse
import os
import os.path as osp
import sys

from mmjigsaw.apis import run_cli
from mmjigsaw.study import PARTS, CellRunner, Results, StudyLayout, load_study, parse_only, run_steps, write_report


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('study', nargs='?', default='configs/reproduce/reproduce_demo.py', help='study config')
    parser.add_argument('--out', default='work_dirs/reproduce', help='work folder of the runs (checkpoints, logs)')
    parser.add_argument('--only', default=','.join(PARTS), help=f'comma-separated parts of {PARTS}')
    parser.add_argument('--quick', action='store_true', help='tiny data and schedules (what the tests run)')
    parser.add_argument('--doc',
                        help='report to write (default: docs/reproduction.md, OUT/reproduction.md with --quick)')
    parser.add_argument('--budget-minutes', type=float, help='start no run after this many minutes')
    parser.add_argument('--recalibrate', action='store_true',
                        help='measure the equal-compute calibration again over every finished seed (e.g. when the '
                             'first seed shared the machine; see each run\'s load in runs.json)')
    return parser.parse_args()


def main():
    args = parse_args()
    only = parse_only(args.only)
    root = os.getcwd()
    plan = load_study(args.study, quick=args.quick, root=root)
    doc = args.doc or osp.join(args.out if args.quick else osp.join(root, 'docs'), 'reproduction.md')
    doc_dir = osp.splitext(osp.abspath(doc))[0]
    results = Results(osp.join(doc_dir, 'runs.json'))
    if args.recalibrate:
        results.clear_calibration()
    runner = CellRunner(plan, results, StudyLayout(osp.abspath(args.out)), root)
    command = 'python tools/analysis_tools/reproduce.py ' + ' '.join(sys.argv[1:])
    left_out = run_steps(runner, plan.steps(only), args.budget_minutes, command,
                         after_run=lambda: write_report(plan, results, only, osp.abspath(doc)))
    print(f'[reproduce] wrote {doc} and {doc_dir}/')
    for key in left_out:
        print(f'[reproduce] left out: {key}')
    if any('(failed' in key for key in left_out):
        raise SystemExit(1)


if __name__ == '__main__':
    run_cli(main)
