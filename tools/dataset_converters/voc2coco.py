r"""Convert Pascal VOC XML annotations (a flat folder of .xml files) to one COCO JSON file.

    python tools/dataset_converters/voc2coco.py --xml-dir VOC2007/Annotations \
        --img-dir VOC2007/JPEGImages --out data/voc07_trainval.json [--classes a,b,...]

Every .xml file of --xml-dir is converted: where VOC2007's trainval and test archives were unpacked
into one Annotations folder, copy a split's files (ImageSets/Main/trainval.txt) to a folder first
(README, "Your own data").

Category ids follow --classes, else the sorted class names. `difficult` objects become iscrowd=1.
Boxes are clipped to the image and empty ones dropped, with counts printed. A missing or 0 <size>
(as LabelImg writes) is measured on the image, its EXIF orientation applied. On bad input (malformed
XML, a missing image, a class not in --classes, a <size> that is not whole positive pixels, a box
coordinate that is not a finite number) it names the file, exits 2 and writes nothing.
"""
import argparse
import os.path as osp

from mmjigsaw.apis import run_cli
from mmjigsaw.datasets import voc_to_coco
from mmjigsaw.errors import DataError
from mmjigsaw.utils import atomic_write_json


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--xml-dir', required=True, help='folder of VOC .xml files')
    parser.add_argument('--img-dir', required=True, help='folder of the images')
    parser.add_argument('--out', required=True, help='output COCO .json file')
    parser.add_argument('--classes', help='comma-separated class names; their order gives the ids')
    return parser.parse_args()


def main():
    args = parse_args()
    for option, folder in (('--xml-dir', args.xml_dir), ('--img-dir', args.img_dir)):
        if not osp.isdir(folder):
            raise DataError(f'{option} {folder}: no such folder.')
    classes = [name.strip() for name in args.classes.split(',') if name.strip()] if args.classes else None
    coco, counts = voc_to_coco(args.xml_dir, args.img_dir, classes)
    atomic_write_json(coco, args.out)
    print(f'{len(coco["images"])} images, {len(coco["annotations"])} boxes, '
          f'{len(coco["categories"])} classes; clipped {counts["clipped"]}, '
          f'dropped empty {counts["dropped_empty"]}, difficult as crowd {counts["crowd"]}')
    print(f'wrote {args.out}')


if __name__ == '__main__':
    run_cli(main)
