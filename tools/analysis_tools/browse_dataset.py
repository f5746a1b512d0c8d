r"""Save PNG grids of training montages with region borders and class names.

    python tools/analysis_tools/browse_dataset.py configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py \
        --out work_dirs/browse [--num 16]
"""
import argparse
import os
import os.path as osp

from mmengine.config import DictAction

from mmjigsaw.apis import load_config, run_cli
from mmjigsaw.errors import ConfigError
from mmjigsaw.registry import DATASETS
from mmjigsaw.visualization import draw_montage, image_grid, save_rgb_png

PER_GRID = 16


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='training config')
    parser.add_argument('--out', required=True, help='folder for the PNG grids')
    parser.add_argument('--num', type=int, default=16, help='montages to show')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys')
    return parser.parse_args()


def main():
    args = parse_args()
    if osp.exists(args.out) and not osp.isdir(args.out):
        raise ConfigError(f'--out {args.out} is a file; give a folder for the PNG grids.')
    cfg = load_config(args.config, args.cfg_options)
    dataset_cfg = cfg.train_dataloader.dataset
    # stop before packing: the picture needs the canvas, regions and labels
    dataset_cfg.pipeline = [t for t in dataset_cfg.pipeline if t['type'] != 'PackJigsawInputs']
    dataset = DATASETS.build(dataset_cfg)
    classes = dataset.metainfo['classes']
    os.makedirs(args.out, exist_ok=True)
    pictures, written = [], []
    for i in range(min(args.num, len(dataset))):
        item = dataset[i]
        pictures.append(draw_montage(item['img'], item['regions'], item['region_labels'], classes))
        if len(pictures) == PER_GRID or i == min(args.num, len(dataset)) - 1:
            path = osp.join(args.out, f'montages_{len(written):03d}.png')
            save_rgb_png(path, image_grid(pictures, cols=4))
            written.append(path)
            pictures = []
    print(f'wrote {len(written)} grid(s) of montages: {", ".join(written)}')


if __name__ == '__main__':
    run_cli(main)
