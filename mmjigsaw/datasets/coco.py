"""Loading a COCO-format detection annotation file, checked, for sample extraction."""
import json
import os.path as osp
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Sequence, Tuple

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


def _is_integer(value) -> bool:
    """A JSON integer (not a float, not true/false): what COCO ids are."""
    return isinstance(value, int) and not isinstance(value, bool)


def _entries(coco: Dict, key: str, required: Sequence[str], ann_file: str) -> List[Dict]:
    """The JSON objects of the list ``coco[key]``, each checked to have the ``required`` fields."""
    entries = coco[key]
    for entry in entries:
        if not isinstance(entry, dict):
            raise DataError(f'{ann_file}: an entry of "{key}" is not a JSON object: {str(entry)[:60]}.')
        missing = [k for k in required if k not in entry]
        if missing:
            raise DataError(f'{ann_file}: {key} entry {entry.get("id", "?")} lacks {", ".join(missing)}.')
    if 'id' in required:
        odd = [e['id'] for e in entries if not _is_integer(e['id'])]
        if odd:
            raise DataError(f'{ann_file}: "{key}" has the ids {odd[:5]}; COCO ids are integers (write 1, '
                            'not 1.0 or "1").')
        repeated = sorted(i for i, n in Counter(e['id'] for e in entries).items() if n > 1)
        if repeated:
            raise DataError(f'{ann_file}: "{key}" repeats the ids {repeated[:5]}; each id must be unique.')
    return entries


def _without_export_root(categories: List[Dict], annotations: List) -> List[Dict]:
    """The categories less the root that Roboflow's exports add: one no annotation uses, whose name is
    another category's ``supercategory`` (the project's name, which may also be a class's)."""
    used = {a['category_id'] for a in annotations if isinstance(a, dict) and _is_integer(a.get('category_id'))}

    def is_root(category: Dict) -> bool:
        # Its own supercategory does not count: COCO's 'person' is its own, and stays a class when unused.
        return any(other is not category and other.get('supercategory') == category['name'] for other in categories)

    return [c for c in categories if c['id'] in used or not (isinstance(c['name'], str) and is_root(c))]


def _class_names(categories: List[Dict], ann_file: str) -> List[str]:
    """The categories' names: non-empty strings, each once."""
    names = [c['name'] for c in categories]
    odd = [n for n in names if not (isinstance(n, str) and n)]
    if odd:
        raise DataError(f'{ann_file}: "categories" has the names {odd[:5]}; class names are non-empty strings.')
    repeated = sorted(n for n, k in Counter(names).items() if k > 1)
    if repeated:
        raise DataError(f'{ann_file}: "categories" repeats the names {repeated[:5]}; each class needs its own name.')
    return names


def _image_size(info: Dict, ann_file: str) -> Tuple[int, int]:
    """(width, height) of an image entry: positive whole numbers of pixels."""
    size = (info['width'], info['height'])
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 and float(v).is_integer()
               for v in size):
        raise DataError(f'{ann_file}: image {info["id"]} has width, height {size[0]!r}, {size[1]!r}; '
                        'both must be positive whole numbers of pixels.')
    return int(size[0]), int(size[1])


def _bbox(ann: Dict, ann_file: str) -> np.ndarray:
    """An annotation's [x, y, w, h]: four finite numbers."""
    bbox = ann.get('bbox')
    if (not isinstance(bbox, (list, tuple)) or len(bbox) != 4
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in bbox)
            or not np.isfinite(bbox).all()):
        raise DataError(f'{ann_file}: annotation {ann.get("id")} has bbox {str(bbox)[:60]}; it must be '
                        '[x, y, w, h], four finite numbers.')
    return np.asarray(bbox, dtype=np.float64)


def load_coco_detection(ann_file: str) -> Tuple[List[str], List[DetectionImage], Counter]:
    """Read and check a COCO detection file.

    Categories become 0-based indices in the order of their ids (less an export's root category: see
    :func:`_without_export_root`). Boxes are clipped to their
    image; boxes with no area left are skipped and counted (``degenerate_box``, ``outside_image``).

    Returns:
        Class names, the images (in file order), and skip counts.
    Raises:
        DataError: the file is missing or not COCO JSON, an entry is not an object or lacks a field,
            image or category ids are not integers or repeat, class names are not non-empty strings or
            repeat, an image's size is not positive whole pixels, an annotation names an unknown image
            or category id, or its bbox is not four finite numbers.
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
    categories = sorted(_without_export_root(_entries(coco, 'categories', ('id', 'name'), ann_file),
                                             coco['annotations']), key=lambda c: c['id'])
    classes = _class_names(categories, ann_file)
    cat_index = {c['id']: i for i, c in enumerate(categories)}
    images = {info['id']: DetectionImage(info['id'], info['file_name'], *_image_size(info, ann_file))
              for info in _entries(coco, 'images', ('id', 'file_name', 'width', 'height'), ann_file)}
    per_image: Dict[int, list] = {image_id: [] for image_id in images}
    skips = Counter()
    for ann in _entries(coco, 'annotations', (), ann_file):
        if not _is_integer(ann.get('image_id')) or ann['image_id'] not in images:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} names unknown image_id '
                            f'{ann.get("image_id")}.')
        if not _is_integer(ann.get('category_id')) or ann['category_id'] not in cat_index:
            raise DataError(f'{ann_file}: annotation {ann.get("id")} has unknown category_id '
                            f'{ann.get("category_id")}; known ids: {sorted(cat_index)}.')
        bbox = _bbox(ann, ann_file)
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
    return classes, list(images.values()), skips
