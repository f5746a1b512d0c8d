import hashlib
import json
import os
import os.path as osp

import cv2
import numpy as np
from pycocotools.coco import COCO

from mmjigsaw.datasets.demo import DEMO_CATEGORIES, make_demo_dataset
from mmjigsaw.structures import aspect_group


def _digest(root):
    h = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            h.update(name.encode())
            with open(osp.join(folder, name), 'rb') as f:
                h.update(f.read())
    return h.hexdigest()


def test_pycocotools_loads_it_and_boxes_lie_inside_their_images(demo_root):
    coco = COCO(osp.join(demo_root, 'annotations', 'instances_train.json'))
    assert len(coco.getImgIds()) == 16
    assert len(coco.getCatIds()) == len(DEMO_CATEGORIES) >= 6
    for ann in coco.loadAnns(coco.getAnnIds()):
        img = coco.loadImgs(ann['image_id'])[0]
        x, y, w, h = ann['bbox']
        assert 0 <= x and 0 <= y and x + w <= img['width'] and y + h <= img['height']
        assert w >= 2 and h >= 2
    for img in coco.loadImgs(coco.getImgIds()):
        pixels = cv2.imread(osp.join(demo_root, 'train', img['file_name']))
        assert pixels.shape[:2] == (img['height'], img['width'])
        assert 320 <= img['width'] <= 640 and 320 <= img['height'] <= 640


def test_every_category_and_aspect_group_is_present(tmp_path):
    stats = make_demo_dataset(str(tmp_path), num_train=60, num_val=2, seed=1)['train']
    assert all(n > 0 for n in stats['per_category'].values())
    assert all(n > 0 for n in stats['per_group'].values())
    with open(tmp_path / 'annotations' / 'instances_train.json') as f:
        coco = json.load(f)
    groups = {}
    for ann in coco['annotations']:
        groups.setdefault(ann['category_id'], set()).add(aspect_group(ann['bbox'][2], ann['bbox'][3]))
    names = {c['id']: c['name'] for c in coco['categories']}
    assert groups[[k for k, v in names.items() if v == 'pole'][0]] == {'T'}
    assert groups[[k for k, v in names.items() if v == 'plank'][0]] == {'W'}
    assert 16 <= stats['shorter_side_px']['min'] < 24
    assert stats['shorter_side_px']['max'] > 100


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    make_demo_dataset(str(tmp_path / 'a'), num_train=3, num_val=1, seed=5)
    make_demo_dataset(str(tmp_path / 'b'), num_train=3, num_val=1, seed=5)
    make_demo_dataset(str(tmp_path / 'c'), num_train=3, num_val=1, seed=6)
    assert _digest(tmp_path / 'a') == _digest(tmp_path / 'b')
    assert _digest(tmp_path / 'a') != _digest(tmp_path / 'c')


def _mean_colours(root, split):
    """Mean RGB of every ground-truth crop of a split, and its category ids."""
    with open(osp.join(root, 'annotations', f'instances_{split}.json')) as f:
        coco = json.load(f)
    files = {img['id']: img['file_name'] for img in coco['images']}
    images, features, labels = {}, [], []
    for ann in coco['annotations']:
        if ann['image_id'] not in images:
            images[ann['image_id']] = cv2.imread(osp.join(root, split, files[ann['image_id']]))[..., ::-1]
        x, y, w, h = (int(round(v)) for v in ann['bbox'])
        features.append(images[ann['image_id']][y:y + h, x:x + w].reshape(-1, 3).mean(0))
        labels.append(ann['category_id'])
    return np.array(features), np.array(labels)


def test_mean_colour_does_not_tell_the_classes_apart(tmp_path):
    """Nearest-centroid on the mean RGB of the ground-truth crops, fitted on train, scored on held-out
    boxes, stays within 1.5x chance: the classes differ by shape and pattern, not by colour."""
    make_demo_dataset(str(tmp_path), num_train=150, num_val=150, seed=0)
    train_x, train_y = _mean_colours(str(tmp_path), 'train')
    test_x, test_y = _mean_colours(str(tmp_path), 'val')
    classes = np.unique(train_y)
    centroids = np.stack([train_x[train_y == c].mean(0) for c in classes])
    predicted = classes[np.argmin(((test_x[:, None] - centroids[None]) ** 2).sum(-1), axis=1)]
    accuracy, chance = (predicted == test_y).mean(), 1 / len(DEMO_CATEGORIES)
    assert len(test_y) > 300
    assert accuracy <= 1.5 * chance, f'mean colour classifies {accuracy:.1%} of held-out boxes (chance {chance:.1%})'
