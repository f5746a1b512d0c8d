import os.path as osp

import numpy as np
import pytest

from mmjigsaw.datasets import SampleStore, build_sample_store
from mmjigsaw.errors import DataError
from mmjigsaw.utils import read_image_rgb


def crowded_and_roomy_images(n):
    """``n`` pairs of a 100 x 100 image covered by its four boxes (no room for a negative) and a
    400 x 400 image with three small boxes (plenty of room)."""
    crowded = (100, 100, [[0, 0, 50, 50, 1], [50, 0, 50, 50, 2], [0, 50, 50, 50, 1], [50, 50, 50, 50, 2]])
    roomy = (400, 400, [[20, 20, 40, 30, 1], [200, 150, 30, 60, 2], [300, 300, 50, 40, 1]])
    return [crowded, roomy] * n


@pytest.mark.parametrize('workers', [1, pytest.param(2, marks=pytest.mark.slow)])  # 2: worker processes
def test_images_with_room_make_up_for_crowded_ones(coco_factory, tmp_path, workers):
    ann_file, img_dir = coco_factory(crowded_and_roomy_images(20))
    summary = build_sample_store(ann_file, img_dir, str(tmp_path / 'store'), neg_ratio=0.5, workers=workers)
    assert summary['positives'] == 140
    assert summary['negatives'] == 70  # floor(0.5 * 140): the crowded images' share came from the others
    assert summary['negative_ratio'] == 0.5
    assert 'no_background' not in summary['skips']
    store = SampleStore(str(tmp_path / 'store'))
    negatives = np.flatnonzero(store.labels == store.num_classes)
    assert len(negatives) == 70
    assert {store[int(i)]['image_id'] % 2 for i in negatives} == {0}  # all from the roomy images


def test_a_shortfall_nobody_can_fill_is_reported(coco_factory, tmp_path):
    ann_file, img_dir = coco_factory(crowded_and_roomy_images(1)[:1] * 10)
    summary = build_sample_store(ann_file, img_dir, str(tmp_path / 'store'), neg_ratio=0.5)
    assert summary['positives'] == 40 and summary['negatives'] == 0
    assert summary['skips']['no_background'] == 20 and summary['negative_ratio'] == 0.0


def test_negatives_that_make_up_a_shortfall_hold_their_source_pixels(coco_factory, tmp_path):
    # every roomy image follows a crowded one, so part of its negatives are spares the writer encodes
    ann_file, img_dir = coco_factory(crowded_and_roomy_images(5))
    build_sample_store(ann_file, img_dir, str(tmp_path / 'store'), neg_ratio=0.5, fmt='raw')
    store = SampleStore(str(tmp_path / 'store'))
    negatives = np.flatnonzero(store.labels == store.num_classes)
    assert len(negatives) == 17  # floor(0.5 * 35)
    for i in negatives:
        sample = store[int(i)]
        x1, y1, x2, y2 = sample['crop_box']
        source = read_image_rgb(osp.join(img_dir, f'{sample["image_id"]}.jpg'))
        np.testing.assert_array_equal(store.image(int(i)), source[y1:y2, x1:x2])


def test_a_wrong_image_folder_is_named_before_anything_is_extracted(coco_factory, tmp_path):
    ann_file, img_dir = coco_factory(crowded_and_roomy_images(1))
    with pytest.raises(DataError, match=r'--img-dir .*nowhere: no such folder; give the folder that holds the images'):
        build_sample_store(ann_file, str(tmp_path / 'nowhere'), str(tmp_path / 'store'))
    (tmp_path / 'empty').mkdir()
    with pytest.raises(DataError, match=r'no usable positive samples \(skips: .*\'unreadable_image\': 2.*; the first '
                                        r'unreadable image: .*empty/1\.jpg: image file not found'):
        build_sample_store(ann_file, str(tmp_path / 'empty'), str(tmp_path / 'store'))
    assert not osp.exists(tmp_path / 'store') and not osp.exists(tmp_path / 'store.incomplete')
