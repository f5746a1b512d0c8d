r"""Export the backbone of a pre-training checkpoint for a detector (or for torchvision).

    python tools/model_converters/extract_backbone.py \
        work_dirs/jigsaw_resnet18-c32_1xb32-coslr-250it_demo/iter_250.pth work_dirs/demo/backbone.pth
    # exactly the keys of a detector's backbone, checked key by key
    python tools/model_converters/extract_backbone.py CKPT OUT \
        --detector configs/det/mask-rcnn_swin-t-p4-w7_fpn_jigsaw-pre_8xb2-13e_coco.py
    # a ResNet or MobileNetV2 in torchvision's layout, the montage head as its classifier
    python tools/model_converters/extract_backbone.py CKPT OUT --to torchvision
    # a TimmBackbone in timm's layout, for timm.create_model(model_name, num_classes=0)
    python tools/model_converters/extract_backbone.py CKPT OUT --to timm

The output is a plain dict of tensors. By default it has the key names of the detector's backbone
(every mmdet backbone: ResNet, ResNeXt, Res2Net, ResNeSt, RegNet, HRNet, MobileNetV2, EfficientNet,
CSPDarknet, CSPNeXt, Swin, PVTv2): it loads with torch.load(..., weights_only=True) and through a
detector's backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=OUT)). The input is read with
weights_only=True too: a checkpoint whose pickle would run code is refused.
"""
import argparse

from mmjigsaw.apis import run_cli
from mmjigsaw.converters import EXPORT_LAYOUTS, export_backbone


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='pre-training checkpoint (mmengine runner or state dict)')
    parser.add_argument('out', help='backbone checkpoint to write')
    parser.add_argument('--to', choices=EXPORT_LAYOUTS, default='mmdet',
                        help="key layout: the detector backbone's (mmdet, default), torchvision's or timm's")
    parser.add_argument('--detector', help="a detector config: write exactly its backbone's keys, checked")
    args = parser.parse_args()
    result = export_backbone(args.checkpoint, args.out, to=args.to, detector=args.detector)
    print(f'wrote {result.count} backbone tensors to {args.out} ({result.note})')
    if result.dropped:
        print(f'left out {len(result.dropped)} pre-training-only tensors: {", ".join(result.dropped[:6])}'
              f'{", ..." if len(result.dropped) > 6 else ""}')


if __name__ == '__main__':
    run_cli(main)
