"""Loading COCO detection files: boxes clipped and skips counted, and one clear error for each way a
file can be malformed."""
import json

import numpy as np
import pytest

from mmjigsaw.datasets.coco import load_coco_detection
from mmjigsaw.errors import DataError

IMAGES = [dict(id=1, file_name='1.jpg', width=100, height=80), dict(id=2, file_name='2.jpg', width=50, height=50)]
CATEGORIES = [dict(id=7, name='pole'), dict(id=3, name='disc')]


def _annotation(ann_id, image_id, bbox, category_id=3, **extra):
    return dict(id=ann_id, image_id=image_id, category_id=category_id, bbox=bbox, **extra)


def _write(tmp_path, images=IMAGES, annotations=(), categories=CATEGORIES):
    path = tmp_path / 'instances.json'
    path.write_text(json.dumps(dict(images=images, annotations=list(annotations), categories=categories)))
    return str(path)


def test_boxes_are_clipped_to_their_image_and_skips_counted(tmp_path):
    ann_file = _write(tmp_path, annotations=[
        _annotation(1, 1, [90, 70, 20, 20], category_id=7),  # sticks out: clipped to (90, 70, 100, 80)
        _annotation(2, 1, [10, 10, 5, 6], iscrowd=1),
        _annotation(3, 2, [10, 10, 0, 5]),                   # no width
        _annotation(4, 2, [60, 60, 5, 5]),                   # outside the 50 x 50 image
    ])
    classes, images, skips = load_coco_detection(ann_file)
    assert classes == ['disc', 'pole']  # in the order of their ids
    np.testing.assert_array_equal(images[0].boxes, [[90, 70, 100, 80], [10, 10, 15, 16]])
    np.testing.assert_array_equal(images[0].labels, [1, 0])
    np.testing.assert_array_equal(images[0].ignore, [False, True])
    assert len(images[1].boxes) == 0 and skips == dict(degenerate_box=1, outside_image=1)


def test_what_real_tools_write_loads(tmp_path):
    """Sizes written as floats, integer and float boxes, and extra fields of the COCO format."""
    images = [dict(id=1, file_name='1.jpg', width=100.0, height=80.0, license=1, coco_url='')]
    categories = [dict(id=3, name='disc', supercategory='shape')]
    ann_file = _write(tmp_path, images, [_annotation(1, 1, [1, 2, 30, 40], area=1200, segmentation=[]),
                                         _annotation(2, 1, [1.5, 2.5, 3.25, 4.0])], categories)
    classes, (image,), skips = load_coco_detection(ann_file)
    assert classes == ['disc'] and (image.width, image.height) == (100, 80) and not skips
    np.testing.assert_array_equal(image.boxes, [[1, 2, 31, 42], [1.5, 2.5, 4.75, 6.5]])


def test_a_roboflow_export_s_root_category_is_no_class(tmp_path):
    """Roboflow adds a category named after the project (here also a class's name), used by no annotation,
    the supercategory of the others. A class that is only its own supercategory (COCO's 'person') stays one
    where no annotation uses it, so that every split of a dataset has the same classes."""
    categories = [dict(id=0, name='fish', supercategory='none'), dict(id=1, name='fish', supercategory='fish'),
                  dict(id=2, name='eel', supercategory='fish'), dict(id=3, name='ray', supercategory='ray')]
    ann_file = _write(tmp_path, IMAGES, [_annotation(1, 1, [1, 2, 30, 40], category_id=1),
                                         _annotation(2, 1, [5, 5, 10, 10], category_id=2)], categories)
    classes, (image, _), _ = load_coco_detection(ann_file)
    assert classes == ['fish', 'eel', 'ray']
    np.testing.assert_array_equal(image.labels, [0, 1])


@pytest.mark.parametrize('change, message', [
    (dict(images=[*IMAGES, 'image.jpg']), r'an entry of "images" is not a JSON object: image\.jpg'),
    (dict(categories=[dict(id=1)]), r'categories entry 1 lacks name'),
    (dict(categories=[*CATEGORIES, dict(id=7, name='plank')]), r'"categories" repeats the ids \[7\]'),
    (dict(categories=[*CATEGORIES, dict(id=9, name='pole')]), r'"categories" repeats the names \[\'pole\'\]'),
    (dict(categories=[*CATEGORIES, dict(id=1.0, name='plank')]), r'"categories" has the ids \[1\.0\]; COCO ids are'),
    (dict(categories=[*CATEGORIES, dict(id=9, name=['x'])]), r"has the names \[\['x'\]\]; class names are non-empty"),
    (dict(annotations=[_annotation(5, True, [1, 2, 3, 4])]), r'annotation 5 names unknown image_id True'),
    (dict(images=[dict(IMAGES[0], id='a1')]), r'"images" has the ids \[\'a1\'\]; COCO ids are integers'),
    (dict(images=[*IMAGES, dict(IMAGES[0], file_name='again.jpg')]), r'"images" repeats the ids \[1\]'),
    (dict(images=[dict(IMAGES[0], width=0)]), r'image 1 has width, height 0, 80; both must be positive whole'),
    (dict(images=[dict(IMAGES[0], height='80')]), r"image 1 has width, height 100, '80'"),
    (dict(images=[dict(IMAGES[0], width=99.5)]), r'image 1 has width, height 99\.5, 80'),
    (dict(annotations=[_annotation(5, 1, [1, 2, 3])]), r'annotation 5 has bbox \[1, 2, 3\]; it must be \[x, y'),
    (dict(annotations=[_annotation(5, 1, [1, 2, 'w', 4])]), r"annotation 5 has bbox \[1, 2, 'w', 4\]"),
    (dict(annotations=[_annotation(5, 1, [1, 2, float('nan'), 4])]), r'annotation 5 has bbox \[1, 2, nan, 4\]'),
    (dict(annotations=[_annotation(5, 9, [1, 2, 3, 4])]), r'annotation 5 names unknown image_id 9'),
    (dict(annotations=[_annotation(5, 1, [1, 2, 3, 4], category_id=1)]), r'unknown category_id 1; known ids: \[3, 7\]'),
    (dict(annotations=[_annotation(5, 1, [1, 2, 3, 4], category_id=3.0)]), r'unknown category_id 3\.0; known ids'),
    (dict(annotations=[_annotation(5, 1, [1, 2, 3, 4], category_id=True)],
          categories=[dict(id=1, name='disc')]), r'unknown category_id True; known ids: \[1\]'),
    (dict(annotations=['box']), r'an entry of "annotations" is not a JSON object: box'),
    (dict(categories=[*CATEGORIES, dict(id=9, name='')]), r"has the names \[''\]; class names are non-empty"),
    (dict(images=[dict(IMAGES[0], width=True)]), r'image 1 has width, height True, 80'),
    (dict(annotations=[_annotation(5, 1, [1, 2, True, 4])]), r'annotation 5 has bbox \[1, 2, True, 4\]'),
])
def test_each_malformed_entry_is_named(tmp_path, change, message):
    with pytest.raises(DataError, match=message):
        load_coco_detection(_write(tmp_path, **change))
