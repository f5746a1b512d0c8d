"""Run the method's Montage + L fine-tunings of a few seeds again on this machine, beside the study's own
records, to see what a change of machine does to the runs every ablation and control is paired with.

    PYTHONPATH=$PWD python tools/analysis_tools/machine_check.py [STUDY] --out work_dirs/reproduce
        [--seeds 0 1 2] [--epochs 12] [--doc docs/reproduction.md] [--quick]

Each seed's Montage pre-training runs again here, then its backbone is fine-tuned for L epochs, as the
study runs them (mmjigsaw.study's CellRunner, from the study's data and stores). It runs only at the
study's code hash (the one in DOC_DIR/runs.json). The records go to DOC_DIR/machine_check/runs.json,
never into the study's runs.json, and the work to OUT/machine_check/. DOC_DIR is the study's report
(--doc, as reproduce.py takes it) without '.md'. reproduce.py's report, --plan-only included, sets each
record beside the study's record of the same cell. The check is descriptive: it is not part of the plan.
"""
import argparse
import os
import os.path as osp

from mmjigsaw.apis import run_cli
from mmjigsaw.study import CellRunner, Results, StudyLayout, code_hash, load_study
from mmjigsaw.study.cells import Cell
from mmjigsaw.study.report import machine_check_records, report_paths, study_records

#: the method's pre-training variant, whose fine-tunings the ablations and controls are paired with
METHOD = 'erf'


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('study', nargs='?', default='configs/reproduce/reproduce_demo.py', help='study config')
    parser.add_argument('--out', default='work_dirs/reproduce', help='the study\'s work folder')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2], help='seeds to run again')
    parser.add_argument('--epochs', type=int, default=12, help='fine-tuning length L')
    parser.add_argument('--doc', help='the study\'s report (default: docs/reproduction.md, OUT/reproduction.md '
                        'with --quick)')
    parser.add_argument('--quick', action='store_true', help='the study\'s tiny data and schedules (tests)')
    return parser.parse_args()


def main():
    args = parse_args()
    root = os.getcwd()
    plan = load_study(args.study, quick=args.quick, root=root)
    _, doc_dir = report_paths(args.doc, args.out, args.quick, root)
    study = Results(study_records(doc_dir))
    here = code_hash(root)
    if here != study.code_hash:
        raise SystemExit(f'[machine_check] this checkout\'s code hash {here} is not the study\'s '
                         f'({study.code_hash}): run it from the study\'s checkout')
    backbone = plan.parts['curve'].backbone
    cells = [Cell('finetune', backbone, METHOD, 'montage', args.epochs, seed) for seed in args.seeds]
    for cell in cells:
        if not study.done(cell):
            raise SystemExit(f'[machine_check] the study has no record of {cell.key} to compare with')
    check = Results(machine_check_records(doc_dir))
    check.set_code_hash(here)
    runner = CellRunner(plan, check, StudyLayout(osp.join(osp.abspath(args.out), 'machine_check')), root,
                        name='machine_check')
    runner.prepare_data()
    for cell in cells:
        rec = runner.run(cell)
        runner.say(f'{cell.key}: box AP {rec["bbox_mAP"]:.4f} here, {study.done(cell)["bbox_mAP"]:.4f} recorded')


if __name__ == '__main__':
    run_cli(main)
