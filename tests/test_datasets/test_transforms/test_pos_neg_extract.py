import numpy as np
import pytest

from mmjigsaw.datasets.sample_extraction import extract_image_samples
from mmjigsaw.datasets.transforms import PosNegExtract
from mmjigsaw.errors import DataError


def test_transform_cuts_the_same_samples_as_the_function():
    img = np.random.default_rng(0).integers(0, 255, (120, 160, 3), dtype=np.uint8)
    boxes = np.array([[10, 10, 60, 40], [80, 50, 100, 110]], float)
    out = PosNegExtract(num_classes=2, neg_ratio=1.0)(dict(
        img=img, gt_bboxes=boxes, gt_bboxes_labels=np.array([0, 1]), rng=np.random.default_rng(4)))
    expected, _ = extract_image_samples(boxes, np.array([0, 1]), np.zeros(2, bool), 160, 120, 2,
                                        np.random.default_rng(4), neg_ratio=1.0)
    assert [s['crop_box'] for s in out['samples']] == [e.crop_box.tolist() for e in expected]
    for s in out['samples']:
        x1, y1, x2, y2 = s['crop_box']
        np.testing.assert_array_equal(s['img'], img[y1:y2, x1:x2])


def test_transform_refuses_ignore_flags_that_do_not_match_the_boxes():
    img = np.zeros((60, 60, 3), np.uint8)
    results = dict(img=img, gt_bboxes=np.array([[5, 5, 30, 30], [35, 35, 55, 55]], float),
                   gt_bboxes_labels=np.array([0, 1]), gt_ignore_flags=np.array([True]))
    with pytest.raises(DataError, match='1 gt_ignore_flags for 2 gt_bboxes'):
        PosNegExtract(num_classes=2)(results)
    results['gt_ignore_flags'] = np.array([True, False])
    out = PosNegExtract(num_classes=2)(results)
    assert [s['label'] for s in out['samples'] if s['gt_box'] is not None] == [1]
