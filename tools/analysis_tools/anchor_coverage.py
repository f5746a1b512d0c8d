r"""Do a detector config's anchors fit the dataset's boxes? For every ground-truth box, the best IoU
any anchor reaches (after the pipeline's Resize, on the padded feature-map grid), and the share of
boxes that reach the RPN assigner's ``min_pos_iou`` (otherwise the box is never a positive) and its
``pos_iou_thr``, overall, per aspect group and per class.

    python tools/analysis_tools/anchor_coverage.py CONFIG [--split train|val] [--ann FILE] [--scale W H] \
        [--cfg-options model.rpn_head.anchor_generator.ratios="[0.2,0.5,1.0,2.0,5.0]"]

A box under ``min_pos_iou`` is learnt from nothing; aim for nearly all boxes there and at least half
at ``pos_iou_thr``. Thin objects (poles, text lines, vehicles seen from above) need ratios beyond
mmdet's default 0.5-2 (ratio = h / w). A pipeline that resizes to several scales (multi-scale
training) is measured at one, given with --scale: try its largest and its smallest.
"""
import argparse

from mmengine.config import DictAction

from mmjigsaw.analysis import config_anchor_coverage
from mmjigsaw.apis import load_config, run_cli


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='detector config')
    parser.add_argument('--split', choices=('train', 'val'), default='train', help='which dataloader\'s data')
    parser.add_argument('--ann', help='a COCO annotation file instead of the split\'s (same image sizes)')
    parser.add_argument('--scale', nargs=2, type=int, metavar=('W', 'H'),
                        help="resize the images to this scale (keep_ratio) instead of the pipeline's Resize")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys: k=v')
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    coverage, classes = config_anchor_coverage(cfg, args.split, args.ann, args.scale and tuple(args.scale))
    generator = (cfg.model.get('rpn_head') or cfg.model.bbox_head).anchor_generator
    print(f"anchors: scales {generator.get('scales', generator.get('octave_base_scale'))}, "
          f"ratios (h/w) {generator.ratios}, strides {generator.strides}")
    low, high = coverage.min_pos_iou, coverage.pos_iou_thr
    print(f'| boxes | n | best IoU >= {low:g} (a positive) | best IoU >= {high:g} |')
    print('|---|---|---|---|')
    for name, count, positive, good in coverage.rows(classes):
        print(f'| {name} | {count} | {positive:.1%} | {good:.1%} |')


if __name__ == '__main__':
    run_cli(main)
