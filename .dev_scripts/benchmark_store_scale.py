r"""Store size and extraction speed at COCO's box-size mix, per format, projected to large datasets.

    python .dev_scripts/benchmark_store_scale.py --out work_dirs/store_scale [--images 300] \
        [--workers 1] [--seconds 10] [--quality 90]

1. Generates --images 640 x 480 images (demo scenes, resized) with COCO train2017's boxes per
   image (860,001 / 118,287 = 7.27 on average, Poisson) and its box-size mix: 41.4% small (area
   under 32^2), 34.3% medium (32^2 to 96^2), 24.3% large (over 96^2). Areas are log-uniform within
   each class (small from 8^2, large up to 400^2), aspect ratios w/h log-uniform in [1/3, 3]. The
   boxes do not follow the scene's objects: only their sizes and the pixels under them matter here.
2. Extracts them once per format with --workers processes (neg-ratio 0.1) and reports extraction
   images/s per worker, bytes per sample (all store files) by size class of the sample's box
   (negatives apart) and overall, and the store's size against the source JPEGs.
3. Times each store's montage pipeline as tools/analysis_tools/benchmark_pipeline.py does (in the
   main process, one core): montages/s per core,
   the cores one GPU needs at 4,000 montages/s (an H100 training ResNet-50, docs/method.md §7), and for
   the compressed store the montages' mean absolute difference from the raw ones.
4. Projects store size and extraction time to the published box counts of COCO train2017,
   Objects365 and Open Images (PUBLISHED below): samples = boxes x 1.1, bytes per sample and
   images/s per worker as measured here. Projections, not measurements: real images differ from
   the generated ones in content (JPEG size), size (Open Images and Objects365 are larger than
   COCO's 640 px) and box-size mix.

The last line is JSON.
"""
import argparse
import json
import os
import os.path as osp
import shutil
import time
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
from tqdm import tqdm

from mmjigsaw.apis import run_cli
from mmjigsaw.benchmark import montage_difference, one_thread, pipeline_rates
from mmjigsaw.datasets import CROP_FORMATS, DEMO_CATEGORIES, SampleStore, build_sample_store, render_scene

IMAGE_SIZE = (640, 480)  # (w, h), COCO's most common
COCO_BOXES_PER_IMAGE = 860_001 / 118_287
#: COCO train2017's boxes by area class, and the area range (px^2) drawn within each class here.
COCO_SIZE_MIX = {'small': 0.414, 'medium': 0.343, 'large': 0.243}
SIZE_AREAS = {'small': (8 ** 2, 32 ** 2), 'medium': (32 ** 2, 96 ** 2), 'large': (96 ** 2, 400 ** 2)}
NEG_RATIO = 0.1
MONTAGES_PER_S_PER_GPU = 4000
#: (dataset, training images, boxes, source of the figures)
PUBLISHED = [
    ('COCO train2017', 118_287, 860_001, 'instances_train2017.json'),
    ('Objects365 v1', 600_000, 10_000_000, 'Shao et al., ICCV 2019: 600k+ training images, 10M+ boxes'),
    ('Objects365 v2', 2_000_000, 30_000_000, 'objects365.org: 2M images, 30M+ boxes (all splits)'),
    ('Open Images V6', 1_743_042, 14_610_229, 'Open Images V6 training split, boxes for 600 classes'),
]


def size_class(area: float) -> str:
    """COCO's size class of a box area (px^2)."""
    return 'small' if area < 32 ** 2 else 'medium' if area < 96 ** 2 else 'large'


def coco_mix_boxes(rng: np.random.Generator) -> List[List[float]]:
    """One image's boxes as [x, y, w, h, category_id], sizes drawn with COCO's mix."""
    width, height = IMAGE_SIZE
    boxes = []
    for _ in range(max(1, int(rng.poisson(COCO_BOXES_PER_IMAGE)))):
        cls = rng.choice(list(COCO_SIZE_MIX), p=list(COCO_SIZE_MIX.values()))
        area = np.exp(rng.uniform(*np.log(SIZE_AREAS[cls])))
        ratio = np.exp(rng.uniform(np.log(1 / 3), np.log(3)))
        w, h = min(np.sqrt(area * ratio), width - 1), min(np.sqrt(area / ratio), height - 1)
        x, y = rng.uniform(0, width - w), rng.uniform(0, height - h)
        category_id = int(rng.integers(len(DEMO_CATEGORIES))) + 1
        boxes.append([round(x, 1), round(y, 1), round(w, 1), round(h, 1), category_id])
    return boxes


def generate(root: str, num_images: int, seed: int = 0) -> str:
    """Write the images and their COCO annotation file under ``root``; returns the annotation file."""
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(root, 'img'), exist_ok=True)
    coco = dict(images=[], annotations=[],
                categories=[dict(id=i + 1, name=c.name) for i, c in enumerate(DEMO_CATEGORIES)])
    for image_id in tqdm(range(1, num_images + 1), desc='generating', unit='image', mininterval=1.0):
        img = cv2.resize(render_scene(rng)[0], IMAGE_SIZE, interpolation=cv2.INTER_LINEAR)
        name = f'{image_id:06d}.jpg'
        cv2.imwrite(osp.join(root, 'img', name), img[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
        coco['images'].append(dict(id=image_id, file_name=name, width=IMAGE_SIZE[0], height=IMAGE_SIZE[1]))
        for x, y, w, h, cat in coco_mix_boxes(rng):
            coco['annotations'].append(dict(id=len(coco['annotations']) + 1, image_id=image_id, bbox=[x, y, w, h],
                                            category_id=cat, area=w * h, iscrowd=0))
    ann_file = osp.join(root, 'ann.json')
    with open(ann_file, 'w') as f:
        json.dump(coco, f)
    return ann_file


def bytes_by_size_class(store: SampleStore) -> Dict[str, float]:
    """Mean bytes per sample (its crop plus its share of index and metadata) by the size class of
    its box, negatives apart, and over all samples."""
    crop_bytes = np.diff(np.append(store.index['offset'], store.meta['pixels_bytes']))
    overhead = (store.disk_bytes - store.meta['pixels_bytes']) / len(store)
    gt = store.index['gt_box']
    classes = np.where(np.isnan(gt[:, 0]), 'negative',
                       [size_class(a) for a in (gt[:, 2] - gt[:, 0]) * (gt[:, 3] - gt[:, 1])])
    out = {c: round(float(crop_bytes[classes == c].mean() + overhead)) for c in (*SIZE_AREAS, 'negative')
           if (classes == c).any()}
    out['all'] = round(store.disk_bytes / len(store))
    return out


def montage_rate_and_difference(store: str, seconds: float,
                                reference: Optional[str] = None) -> Tuple[float, Optional[float]]:
    """Montages/s of ``store`` in the main process on one core, and (with ``reference``) the mean
    absolute difference of its montages from the reference store's (None without)."""
    with one_thread():
        diff = None if reference is None else round(montage_difference(store, reference), 3)
        (row,) = pipeline_rates(store, workers=[0], seconds=seconds, imagenet=False)
    return row['montage_per_s_per_core'], diff


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--out', required=True, help='folder for the generated data and stores (replaced)')
    parser.add_argument('--images', type=int, default=300, help='images to generate')
    parser.add_argument('--workers', type=int, default=1, help='extraction worker processes')
    parser.add_argument('--seconds', type=float, default=10, help='montage pipeline timing per format')
    parser.add_argument('--quality', type=int, default=None, help='JPEG quality (default: the codec default)')
    return parser.parse_args()


def main():
    args = parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    ann_file = generate(osp.join(args.out, 'data'), args.images)
    img_dir = osp.join(args.out, 'data', 'img')
    source_bytes = sum(osp.getsize(osp.join(img_dir, name)) for name in os.listdir(img_dir))
    formats = {}
    for fmt in CROP_FORMATS:
        folder = osp.join(args.out, f'store_{fmt}')
        start = time.perf_counter()
        build_sample_store(ann_file, img_dir, folder, neg_ratio=NEG_RATIO, workers=args.workers, fmt=fmt,
                           quality=None if fmt == 'raw' else args.quality)
        seconds = time.perf_counter() - start
        store = SampleStore(folder)
        reference = None if fmt == 'raw' else osp.join(args.out, 'store_raw')
        montage_rate, montage_diff = montage_rate_and_difference(folder, args.seconds, reference)
        formats[fmt] = dict(format=store.codec.describe(), samples=len(store),
                            extraction_images_per_s_per_worker=round(args.images / seconds / args.workers, 1),
                            bytes_per_sample=bytes_by_size_class(store),
                            store_to_source=round(store.disk_bytes / source_bytes, 3),
                            montage_per_s_per_core=montage_rate,
                            cores_per_gpu=round(MONTAGES_PER_S_PER_GPU / montage_rate, 2),
                            montage_mean_abs_diff=montage_diff)
    print(f'\nmeasured on {args.images} generated images ({formats["raw"]["samples"]} samples), '
          f'{args.workers} extraction worker(s)')
    print(f'{"format":>9} {"img/s/worker":>12} {"bytes/sample: small":>20} {"medium":>8} {"large":>8} {"negative":>9} '
          f'{"all":>8} {"x source":>8} {"montages/s/core":>15} {"cores/GPU":>9} {"mean abs diff":>13}')
    for r in formats.values():
        b = r['bytes_per_sample']
        print(f'{r["format"]:>9} {r["extraction_images_per_s_per_worker"]:12.1f} {b.get("small", 0):20d} '
              f'{b.get("medium", 0):8d} {b.get("large", 0):8d} {b.get("negative", 0):9d} {b["all"]:8d} '
              f'{r["store_to_source"]:8.3f} {r["montage_per_s_per_core"]:15.0f} {r["cores_per_gpu"]:9.2f} '
              f'{r["montage_mean_abs_diff"] if r["montage_mean_abs_diff"] is not None else "-":>13}')
    projections = []
    print(f'\nprojections (samples = boxes x {1 + NEG_RATIO}; bytes/sample and images/s per worker as measured above)')
    print(f'{"dataset":>15} {"images":>10} {"boxes":>11} ' + ' '.join(
        f'{f + " store":>11} {f + " worker-h":>14}' for f in formats))
    for name, images, boxes, source in PUBLISHED:
        row = dict(dataset=name, images=images, boxes=boxes, source=source)
        for fmt, r in formats.items():
            row[f'{fmt}_store_gb'] = round(boxes * (1 + NEG_RATIO) * r['bytes_per_sample']['all'] / 1e9, 1)
            row[f'{fmt}_extraction_worker_hours'] = round(images / r['extraction_images_per_s_per_worker'] / 3600, 1)
        projections.append(row)
        print(f'{name:>15} {images:10,d} {boxes:11,d} ' + ' '.join(
            f'{row[f + "_store_gb"]:8.1f} GB {row[f + "_extraction_worker_hours"]:14.1f}' for f in formats))
    print(json.dumps(dict(images=args.images, workers=args.workers, formats=formats, projections=projections)))


if __name__ == '__main__':
    run_cli(main)
