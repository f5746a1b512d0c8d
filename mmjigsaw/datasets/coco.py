"""Loading a COCO-format detection annotation file, checked, for sample extraction."""
import json
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Tuple

import numpy as np

from mmjigsaw.errors import DataError
from mmjigsaw.structures import xywh_to_xyxy


@dataclass
class DetectionImage:
    """One image and its boxes: ``boxes`` (N, 4) xyxy clipped to the image, ``labels`` (N,)
    0-based category indices, ``ignore`` (N,) crowd flags."""
    image_id: int
    file_name: str
    width: int
    height: int
    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 4)))
    labels: np.ndarray = field(default_factory=lambda: np.zeros((0,), np.int64))
    ignore: np.ndarray = field(default_factory=lambda: np.zeros((0,), bool))


def load_coco_detection(ann_file: str) -> Tuple[List[str], List[DetectionImage], Counter]:
    """Read and check a COCO detection file.

    Categories become 0-based indices in the order of their ids. Boxes are clipped to their
    image; boxes with no area left are skipped and counted (``degenerate_box``, ``outside_image``).

    Returns:
        Class names, the images (in file order), and skip counts.
    Raises:
        DataError: the file is missing or not COCO JSON, an annotation names an unknown image or
            category id, or an image lacks its size.
    """
    if not osp.isfile(ann_file):
        raise DataError(f'{ann_file}: annotation file not found.')
    try:
        with open(ann_file) as f:
            coco = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f'{ann_file}: not valid JSON ({err}).') from None
    for key in ('images', 'annotations', 'categories'):
        if not isinstance(coco, dict) or not isinstance(coco.get(key), list):
            raise DataError(f'{ann_file}: missing the COCO list "{key}".')
    if not coco['categories']:
        raise DataError(f'{ann_file}: "categories" is empty.')
    categories = sorted(coco['categories'], key=lambda c: c['id'])
    cat_index = {c['id']: i for i, c in enumerate(categories)}
    images = {}
    for info in coco['images']:
        missing = [k for k in ('id', 'file_name', 'width', 'height') if k not in info]
        if missing:
            raise DataError(f'{ann_file}: image {info.get("id", "?")} lacks {", ".join(missing)}.')
        images[info['id']] = DetectionImage(info['id'], info['file_name'], int(info['width']),
                                            int(info['height']))
    per_image: Dict[int, list] = {image_id: [] for image_id in images}
    skips = Counter()
    for ann in coco['annotations']:
        if ann.get('image_id') not in images:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} names unknown image_id '
                            f'{ann.get("image_id")}.')
        if ann.get('category_id') not in cat_index:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} has unknown category_id '
                            f'{ann.get("category_id")}; known ids: {sorted(cat_index)}.')
        bbox = ann.get('bbox')
        if not isinstance(bbox, (list, tuple)) or len(bbox) != 4:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} has no [x, y, w, h] bbox.')
        image = images[ann['image_id']]
        if bbox[2] <= 0 or bbox[3] <= 0:
            skips['degenerate_box'] += 1
            continue
        box = xywh_to_xyxy(bbox)
        box[0::2] = np.clip(box[0::2], 0, image.width)
        box[1::2] = np.clip(box[1::2], 0, image.height)
        if box[2] <= box[0] or box[3] <= box[1]:
            skips['outside_image'] += 1
            continue
        per_image[ann['image_id']].append((box, cat_index[ann['category_id']], bool(ann.get('iscrowd', 0))))
    for image_id, anns in per_image.items():
        if anns:
            image = images[image_id]
            image.boxes = np.stack([a[0] for a in anns])
            image.labels = np.array([a[1] for a in anns], dtype=np.int64)
            image.ignore = np.array([a[2] for a in anns], dtype=bool)
    return [c['name'] for c in categories], list(images.values()), skips
