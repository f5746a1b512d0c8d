"""A seeded reproduction of the paper's claims: the compute curve, ablations, controls and initialisations.

    python tools/analysis_tools/reproduce.py configs/reproduce/reproduce_demo.py --out work_dirs/reproduce
        [--only curve,heads,context,assembly,store,unfrozen,direct,init] [--quick] [--budget-minutes M]
        [--doc docs/reproduction.md] [--plan-only]

Every cell of the study is one training run (`tools/train.py`, or `tools/dist_train.sh` for several
GPUs) of a config named in the study config, with one seed:

- pre-training: the backbone's Montage pre-training config (a variant for the ablations), then
  its backbone exported with tools/model_converters/extract_backbone.py;
- fine-tuning: a detector config, from that backbone ('montage'), ImageNet weights ('imagenet') or
  random initialisation ('scratch'), for a number of epochs with the lr steps of the study config.

Compute is counted in CPU seconds on CPUs (every process of a run, data workers included; each run
also records the load average) and in GPU seconds (wall x GPUs) with the dist launcher, and in images
processed; wall seconds are reported too. Equal compute, direct pre-training's length and the curve's
extension are decided from finished runs, each an explicit step stored in the results (--quick fixes
them). Running order: the curve, the ablations, the controls, the initialisation rows, seed by seed.

One code version: at start the study takes the hash of the code and configs runs depend on
(mmjigsaw.study.provenance.code_hash); a record of another hash runs again, the report compares only
runs of this hash, and no run starts once the code changes under a running study: run it from a
checkout nobody edits, e.g. `git worktree add ../study HEAD && cd ../study && PYTHONPATH=$PWD python
tools/analysis_tools/reproduce.py ...` (every training it starts imports that checkout's mmjigsaw).

Every finished run is added to DOC_DIR/runs.json at once (DOC_DIR: the --doc path without ".md")
with its per-image matches in DOC_DIR/matches/, so a rerun skips finished cells. A pre-training run
again (its exported backbone gone from --out) keeps its first measurement and lists the later ones under
its record's 'again'. A fine-tuning whose training loss went NaN is recorded under 'diverged' and not
run again at this code hash (delete its entry there to force a rerun). After every run
the report is rewritten: --doc (the plan, paired tests, tables, what was left out),
DOC_DIR/compute_curve.png and DOC_DIR/ablations.png. --budget-minutes stops starting new runs after
that many minutes; the report then lists the missing cells. --plan-only writes the report from the
runs already in DOC_DIR/runs.json (at their recorded code hash; before any run, the plan with every
cell "not run") without running anything. The study runs from the repository root.
The work is done by mmjigsaw.study.
"""
import argparse
import os
import os.path as osp
import sys
from functools import partial

from mmjigsaw.apis import run_cli
from mmjigsaw.study import (PARTS, CellRunner, Results, StudyLayout, code_hash, load_study, parse_only, run_steps,
                            write_report)
from mmjigsaw.study.report import report_paths, study_records
from mmjigsaw.utils import counted


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('study', nargs='?', default='configs/reproduce/reproduce_demo.py', help='study config')
    parser.add_argument('--out', default='work_dirs/reproduce', help='work folder of the runs (checkpoints, logs)')
    parser.add_argument('--only', default=','.join(PARTS), help=f'comma-separated parts of {PARTS}')
    parser.add_argument('--quick', action='store_true', help='tiny data and schedules (what the tests run)')
    parser.add_argument('--doc',
                        help='report to write (default: docs/reproduction.md, OUT/reproduction.md with --quick)')
    parser.add_argument('--budget-minutes', type=float, help='start no run after this many minutes')
    parser.add_argument('--plan-only', action='store_true', help='write the report of the plan, run nothing')
    parser.add_argument('--recalibrate', action='store_true',
                        help='measure the equal-compute calibration again over every finished seed (e.g. when the '
                             'first seed shared the machine; see each run\'s load in runs.json)')
    return parser.parse_args()


def main():
    args = parse_args()
    only = parse_only(args.only)
    root = os.getcwd()
    plan = load_study(args.study, quick=args.quick, root=root)
    doc, doc_dir = report_paths(args.doc, args.out, args.quick, root)
    results = Results(study_records(doc_dir))
    report = partial(write_report, plan, results, only, doc, root)
    if args.plan_only:
        report()
        print(f'[reproduce] wrote {doc} (the plan; nothing ran)')
        return
    stale = results.set_code_hash(code_hash(root))
    print(f'[reproduce] code hash {results.code_hash}; {counted(len(results.comparable), "run")} at it'
          + (f', {len(stale)} of other code versions will run again' if stale else ''))
    if args.recalibrate:
        results.clear_calibration()
    runner = CellRunner(plan, results, StudyLayout(osp.abspath(args.out)), root)
    command = 'python tools/analysis_tools/reproduce.py ' + ' '.join(sys.argv[1:])
    left_out = run_steps(runner, plan.steps(only), args.budget_minutes, command, after_run=report)
    print(f'[reproduce] wrote {doc} and {doc_dir}/')
    for key in left_out:
        print(f'[reproduce] left out: {key}')
    if any('(failed' in key for key in left_out):
        raise SystemExit(1)


if __name__ == '__main__':
    run_cli(main)
