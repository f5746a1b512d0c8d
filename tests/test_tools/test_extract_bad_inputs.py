"""tools/extract_samples.py on messy data: a clear error (exit 2, no traceback) or a counted skip."""
import os
import os.path as osp

import pytest

from mmjigsaw.datasets import SampleStore
from helpers import run_tool


def _extract(ann, img_dir, out):
    return run_tool('tools/extract_samples.py', '--ann', str(ann), '--img-dir', str(img_dir), '--out', str(out))


def _fails(result, *phrases):
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'Traceback' not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, result.stderr


SQUARE, WIDE = [10, 10, 40, 40, 1], [60, 100, 120, 30, 2]


@pytest.mark.slow
def test_missing_and_malformed_annotation_files(tmp_path):
    _fails(_extract(tmp_path / 'nope.json', tmp_path, tmp_path / 's'), 'nope.json', 'not found')
    bad = tmp_path / 'bad.json'
    bad.write_text('{"images": [')
    _fails(_extract(bad, tmp_path, tmp_path / 's'), 'bad.json', 'not valid JSON')
    bad.write_text('{"images": []}')
    _fails(_extract(bad, tmp_path, tmp_path / 's'), 'missing the COCO list "annotations"')
    assert not (tmp_path / 's').exists()


@pytest.mark.slow
def test_unknown_category_id_names_the_annotation(coco_factory, tmp_path):
    ann, img_dir = coco_factory([(200, 200, [SQUARE, [5, 5, 20, 20, 9]])])
    _fails(_extract(ann, img_dir, tmp_path / 's'), 'annotation 2 has unknown category_id 9', 'known ids: [1, 2]')


@pytest.mark.slow
def test_empty_dataset_and_nothing_usable(coco_factory, tmp_path):
    ann, img_dir = coco_factory([])
    _fails(_extract(ann, img_dir, tmp_path / 's'), 'no images listed')
    ann, img_dir = coco_factory([(200, 200, [[10, 10, 0, 30, 1], [10, 10, 2, 2, 1]])])
    _fails(_extract(ann, img_dir, tmp_path / 's'), 'no usable positive samples')
    assert not (tmp_path / 's').exists() and not (tmp_path / 's.incomplete').exists()


@pytest.mark.slow
def test_bad_boxes_and_images_are_skipped_counted_and_named(coco_factory, tmp_path):
    ann, img_dir = coco_factory([
        (200, 300, [SQUARE, WIDE]),
        (200, 200, [[10, 10, 0, 20, 1], [10, 10, -5, 20, 1], [500, 500, 20, 20, 2], [180, 180, 50, 50, 1]]),
        (200, 200, [SQUARE]),   # its image is deleted below
        (200, 200, [SQUARE]),   # its image is truncated below
        (200, 200, []),         # no annotations
    ])
    os.remove(osp.join(img_dir, '3.jpg'))
    with open(osp.join(img_dir, '4.jpg'), 'r+b') as f:
        f.truncate(os.path.getsize(osp.join(img_dir, '4.jpg')) // 2)
    out = tmp_path / 's'
    result = _extract(ann, img_dir, out)
    assert result.returncode == 0, result.stderr
    summary = SampleStore(str(out)).summary
    assert summary['skips']['degenerate_box'] == 2
    assert summary['skips']['outside_image'] == 1
    assert summary['skips']['unreadable_image'] == 2
    assert summary['skips']['image_without_objects'] == 1
    assert summary['positives'] == 3  # two of image 1, the clipped corner box of image 2
    assert '3.jpg: image file not found' in result.stdout
    assert '4.jpg: truncated JPEG' in result.stdout
    store = SampleStore(str(out))
    clipped = [store[i] for i in range(len(store)) if store[i]['image_id'] == 2]
    assert clipped[0]['gt_box'] == [180.0, 180.0, 200.0, 200.0]


@pytest.mark.slow
def test_a_class_without_samples_is_reported(coco_factory, tmp_path):
    ann, img_dir = coco_factory([(200, 200, [SQUARE])], categories=('a', 'b', 'c'))
    result = _extract(ann, img_dir, tmp_path / 's')
    assert result.returncode == 0
    assert 'warning: no samples of b, c' in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize('option, value', [('--neg-ratio', '-1'), ('--workers', '0'), ('--min-size', '0')])
def test_out_of_range_options(coco_factory, tmp_path, option, value):
    ann, img_dir = coco_factory([(200, 200, [SQUARE])])
    result = run_tool('tools/extract_samples.py', '--ann', ann, '--img-dir', img_dir, '--out', str(tmp_path / 's'),
                      option, value)
    _fails(result, f'{option} {value}')
