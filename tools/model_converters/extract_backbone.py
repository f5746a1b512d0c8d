"""Export the backbone of a pre-training checkpoint for mmdet detectors.

    python tools/model_converters/extract_backbone.py work_dirs/demo/pretrain/iter_250.pth \
        work_dirs/demo/backbone.pth

The output is a plain dict of tensors with the key names of the detector's backbone (mmdet ResNet,
MobileNetV2, ...): it loads with
torch.load(..., weights_only=True) and through a detector's
backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=OUT)). The input is read with
weights_only=True too: a checkpoint whose pickle would run code is refused.
"""
import argparse

from mmjigsaw.engine import export_backbone
from mmjigsaw.utils import run_cli


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='pre-training checkpoint (mmengine runner or state dict)')
    parser.add_argument('out', help='backbone checkpoint to write')
    args = parser.parse_args()
    count = export_backbone(args.checkpoint, args.out)
    print(f'wrote {count} backbone tensors to {args.out}')


if __name__ == '__main__':
    run_cli(main)
