r"""ERF heat maps of chosen feature positions over a training montage (the paper's Figure 6).

    python tools/analysis_tools/visualize_erf.py CONFIG [CHECKPOINT] --out erf.png \
        [--positions 0,0 1,4 4,1 4,4] [--num-images 4]

Without CHECKPOINT the model is randomly initialised; a CHECKPOINT that leaves tensors of the
config's model missing or gives them another shape is refused (extra keys are ignored). The ERF is
averaged over --num-images training montages; the first one is drawn under the heat maps.
"""
import argparse

from mmengine.config import DictAction
from mmengine.dataset import pseudo_collate

from mmjigsaw.apis import load_config, run_cli
from mmjigsaw.engine import load_runner_checkpoint
from mmjigsaw.models import compute_erf
from mmjigsaw.registry import DATASETS, MODELS
from mmjigsaw.visualization import draw_erf_grid, region_centre_positions, save_rgb_png


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', help='trained checkpoint; random init if left out')
    parser.add_argument('--out', required=True, help='PNG to write')
    parser.add_argument('--positions', nargs='+', help='feature positions as row,col (default: one per region)')
    parser.add_argument('--num-images', type=int, default=4, help='montages the ERF is averaged over')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = load_config(args.config, args.cfg_options)
    model = MODELS.build(cfg.model)
    model.init_weights()
    if args.checkpoint:
        load_runner_checkpoint(args.checkpoint, model, f'the model of {args.config}',
                               hint='Give a checkpoint of this pre-training config.')
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    batch = model.data_preprocessor(pseudo_collate([dataset[i] for i in range(args.num_images)]))
    erf = compute_erf(model.backbone, batch['inputs'])
    head = model.head
    positions = [tuple(int(v) for v in p.split(',')) for p in args.positions] if args.positions \
        else region_centre_positions(head.cell_region_map().numpy())
    montage = model.data_preprocessor.to_uint8_images(batch['inputs'][:1])[0]
    picture = draw_erf_grid(erf.numpy(), positions, head.feature_shape, head.template.regions, montage,
                            batch['data_samples'][0].gt_region_labels.tolist(), dataset.metainfo['classes'])
    save_rgb_png(args.out, picture)
    print(f'wrote ERF maps ({"trained" if args.checkpoint else "random init"}) of '
          f'{args.num_images} montages to {args.out}')


if __name__ == '__main__':
    run_cli(main)
