"""Write the built-in demo detection dataset (COCO format) and print its statistics.

    python tools/misc/make_demo_dataset.py --out data/demo [--num-train 300] [--num-val 100] [--seed 0]
"""
import argparse
import json

from mmjigsaw.datasets import make_demo_dataset


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num-train', type=int, default=300, help='training images')
    parser.add_argument('--num-val', type=int, default=100, help='validation images')
    parser.add_argument('--seed', type=int, default=0, help='the same seed gives the same bytes')
    return parser.parse_args()


def main():
    args = parse_args()
    stats = make_demo_dataset(args.out, args.num_train, args.num_val, args.seed)
    for split, s in stats.items():
        print(f'{split}: {s["images"]} images, {s["boxes"]} boxes, shorter side '
              f'{s["shorter_side_px"]["min"]:.0f}-{s["shorter_side_px"]["max"]:.0f} px')
        print(f'  per aspect group: {json.dumps(s["per_group"])}')
        print(f'  per category:     {json.dumps(s["per_category"])}')
    print(f'wrote {args.out}/annotations/instances_{{train,val}}.json and {args.out}/{{train,val}}/')


if __name__ == '__main__':
    main()
