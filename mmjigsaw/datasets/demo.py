"""The built-in demo detection dataset: procedurally rendered scenes in COCO format.

Each scene is a textured, cluttered background with 1-6 textured objects of 7 categories
drawn over each other (so some are partly occluded). A category is told by its shape and its
pattern only: every object takes its two colours from one palette shared by all categories, so a
crop's mean colour says next to nothing about its class (a nearest-centroid classifier on mean RGB
is near chance; tested). Categories are fixed to one aspect group each (``docs/method.md``), so the
demo exercises all three montage groups:

- square (S): ``disc``, ``tile``, ``kite``
- tall (T): ``pole``, ``bottle``
- wide (W): ``plank``, ``wagon``

Everything comes from one seeded generator, so a seed gives the same bytes.
"""
import json
import os
import os.path as osp
from dataclasses import dataclass
from typing import Dict, List, Tuple

import cv2
import numpy as np

from mmjigsaw.structures import aspect_group


@dataclass(frozen=True)
class DemoCategory:
    """One demo category: its aspect-ratio range (w / h) and texture; the shape is by name."""
    name: str
    ratio: Tuple[float, float]
    texture: str


DEMO_CATEGORIES = (
    DemoCategory('disc', (0.9, 1.1), 'rings'),
    DemoCategory('tile', (0.7, 1.3), 'checker'),
    DemoCategory('kite', (0.8, 1.2), 'stripes'),
    DemoCategory('pole', (0.12, 0.3), 'bands'),
    DemoCategory('bottle', (0.25, 0.42), 'dots'),
    DemoCategory('plank', (3.0, 6.0), 'grain'),
    DemoCategory('wagon', (1.8, 2.8), 'plain'),
)

#: RGB colours every object draws its two colours from. They come in complementary pairs (each
#: pair averages to grey 130, the background's mean), so neither the palette nor how much of its
#: box a shape fills moves a crop's expected mean colour.
PALETTE = np.array([(220, 60, 40), (40, 200, 220), (40, 90, 220), (220, 170, 40),
                    (30, 170, 60), (230, 90, 200), (60, 60, 60), (200, 200, 200)], np.float32)

IMAGE_SIZE_RANGE = (320, 640)  # px, each side
OBJECT_SIZE_RANGE = (16, 0.5)  # shorter side from 16 px to half the image's shorter side
OBJECTS_PER_IMAGE = (1, 6)


def _texture(kind: str, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """An (h, w, 3) uint8 RGB texture of one kind, blending two different palette colours."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    period = float(rng.uniform(4, 10))
    if kind == 'rings':
        pattern = np.sin(np.hypot(yy - h / 2, xx - w / 2) / period * np.pi)
    elif kind == 'checker':
        pattern = ((yy // period + xx // period) % 2) * 2 - 1
    elif kind == 'stripes':
        pattern = np.sin((xx + yy) / period * np.pi)
    elif kind == 'bands':
        pattern = np.sign(np.sin(yy / period * np.pi))
    elif kind == 'dots':
        pattern = (np.sin(xx / period * np.pi) * np.sin(yy / period * np.pi) > 0.5) * 2.0 - 1
    elif kind == 'grain':
        pattern = np.sin(xx / period + 2 * np.sin(yy / (3 * period)))
    else:
        pattern = np.zeros((h, w), np.float32)
    first, second = PALETTE[rng.choice(len(PALETTE), 2, replace=False)]
    mix = (pattern[..., None] + 1) / 2  # 0: the first colour, 1: the second; 'plain' is their mean
    texture = first * (1 - mix) + second * mix + rng.normal(0, 8, (h, w, 1))
    return np.clip(texture, 0, 255).astype(np.uint8)


def _background(h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """A cluttered background: smooth noise, random strokes and blobs (never annotated)."""
    coarse = rng.uniform(60, 200, (max(2, h // 40), max(2, w // 40), 3)).astype(np.float32)
    img = cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    img += rng.normal(0, 12, (h, w, 3))
    img = np.clip(img, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(10, 30))):
        colour = tuple(int(c) for c in PALETTE[rng.integers(len(PALETTE))])
        p1 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.6:
            p2 = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, p1, p2, colour, int(rng.integers(1, 4)))
        else:
            cv2.circle(img, p1, int(rng.integers(2, 10)), colour, -1)
    return img


def _object_mask(cat: DemoCategory, h: int, w: int) -> Tuple[np.ndarray, np.ndarray]:
    """The shape of one object in its (h, w) box: a uint8 mask and its outline polygon (K, 2)."""
    mask = np.zeros((h, w), np.uint8)
    if cat.name == 'disc':
        outline = cv2.ellipse2Poly((w // 2, h // 2), (max(1, w // 2), max(1, h // 2)), 0, 0, 360, 20)
    elif cat.name == 'kite':
        outline = np.array([[w // 2, 0], [w - 1, h // 2], [w // 2, h - 1], [0, h // 2]])
    elif cat.name == 'bottle':
        neck = max(1, w // 4)
        outline = np.array([[w // 2 - neck, 0], [w // 2 + neck, 0], [w // 2 + neck, h // 4],
                            [w - 1, h // 3], [w - 1, h - 1], [0, h - 1], [0, h // 3],
                            [w // 2 - neck, h // 4]])
    elif cat.name == 'wagon':
        outline = np.array([[0, 0], [w - 1, 0], [w - 1, 3 * h // 4], [3 * w // 4, h - 1],
                            [w // 4, h - 1], [0, 3 * h // 4]])
    else:
        outline = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]])
    outline = outline.astype(np.int32)
    cv2.fillPoly(mask, [outline], 1)
    return mask, outline


def render_scene(rng: np.random.Generator) -> Tuple[np.ndarray, List[Dict]]:
    """Render one scene.

    Returns:
        The RGB image (H, W, 3) uint8 and its objects, each a dict with ``category_id`` (1-based),
        ``bbox`` ([x, y, w, h], px) and ``segmentation`` (one outline polygon).
    """
    h, w = (int(v) for v in rng.integers(IMAGE_SIZE_RANGE[0], IMAGE_SIZE_RANGE[1] + 1, 2))
    img = _background(h, w, rng)
    objects = []
    for _ in range(int(rng.integers(OBJECTS_PER_IMAGE[0], OBJECTS_PER_IMAGE[1] + 1))):
        cat_index = int(rng.integers(len(DEMO_CATEGORIES)))
        cat = DEMO_CATEGORIES[cat_index]
        ratio = float(rng.uniform(*cat.ratio))
        # the shorter side spans 16 px to half the image; the longer side must still fit
        short_max = OBJECT_SIZE_RANGE[1] * min(h, w)
        short_max = min(short_max, (w - 1) if ratio < 1 else (w - 1) / ratio,
                        (h - 1) if ratio >= 1 else (h - 1) * ratio)
        short = float(np.exp(rng.uniform(np.log(OBJECT_SIZE_RANGE[0]), np.log(short_max))))
        ow, oh = (short, short / ratio) if ratio < 1 else (short * ratio, short)
        ow, oh = max(2, int(round(ow))), max(2, int(round(oh)))
        x, y = int(rng.integers(0, w - ow + 1)), int(rng.integers(0, h - oh + 1))
        mask, outline = _object_mask(cat, oh, ow)
        texture = _texture(cat.texture, oh, ow, rng)
        region = img[y:y + oh, x:x + ow]
        region[mask > 0] = texture[mask > 0]
        polygon = (outline + [x, y]).astype(float).ravel().tolist()
        objects.append(dict(category_id=cat_index + 1, bbox=[float(x), float(y), float(ow), float(oh)],
                            segmentation=[polygon]))
    return img, objects


def render_split(out_dir: str, split: str, num_images: int, rng: np.random.Generator,
                 first_image_id: int = 1) -> Dict:
    """Render ``num_images`` scenes into ``out_dir/split/`` and return their COCO dict."""
    os.makedirs(osp.join(out_dir, split), exist_ok=True)
    images, annotations = [], []
    for image_id in range(first_image_id, first_image_id + num_images):
        img, objects = render_scene(rng)
        file_name = f'{image_id:06d}.jpg'
        cv2.imwrite(osp.join(out_dir, split, file_name), img[..., ::-1],
                    [cv2.IMWRITE_JPEG_QUALITY, 90])
        images.append(dict(id=image_id, file_name=file_name, height=img.shape[0], width=img.shape[1]))
        for obj in objects:
            area = obj['bbox'][2] * obj['bbox'][3]
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id, iscrowd=0,
                                    area=area, **obj))
    categories = [dict(id=i + 1, name=c.name) for i, c in enumerate(DEMO_CATEGORIES)]
    return dict(images=images, annotations=annotations, categories=categories)


def make_demo_dataset(out_dir: str, num_train: int = 300, num_val: int = 100, seed: int = 0) -> Dict:
    """Write the demo dataset: ``annotations/instances_{train,val}.json`` and ``{train,val}/*.jpg``.

    Returns:
        Statistics per split (see :func:`dataset_statistics`).
    """
    rng = np.random.default_rng(seed)
    os.makedirs(osp.join(out_dir, 'annotations'), exist_ok=True)
    stats = {}
    for split, num in (('train', num_train), ('val', num_val)):
        coco = render_split(out_dir, split, num, rng)
        with open(osp.join(out_dir, 'annotations', f'instances_{split}.json'), 'w') as f:
            json.dump(coco, f)
        stats[split] = dataset_statistics(coco)
    return stats


def dataset_statistics(coco: Dict) -> Dict:
    """Counts of a COCO dict: images, boxes, boxes per category and per aspect group, box sizes (px)."""
    names = {c['id']: c['name'] for c in coco['categories']}
    per_cat = {name: 0 for name in names.values()}
    per_group = {'S': 0, 'T': 0, 'W': 0}
    sides = []
    for ann in coco['annotations']:
        _, _, w, h = ann['bbox']
        per_cat[names[ann['category_id']]] += 1
        per_group[aspect_group(w, h)] += 1
        sides.append(min(w, h))
    return dict(images=len(coco['images']), boxes=len(coco['annotations']), per_category=per_cat,
                per_group=per_group,
                shorter_side_px=dict(min=float(min(sides, default=0)), max=float(max(sides, default=0))))
