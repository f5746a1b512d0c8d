import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmjigsaw.datasets.voc import voc_to_coco
from mmjigsaw.errors import DataError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(ROOT, 'tools', 'dataset_converters', 'voc2coco.py')


def _xml(filename, objects, width=100, height=80):
    objs = ''.join(
        f'<object><name>{name}</name><difficult>{int(diff)}</difficult><bndbox><xmin>{x1}</xmin>'
        f'<ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>'
        for name, diff, (x1, y1, x2, y2) in objects)
    return (f'<annotation><filename>{filename}</filename><size><width>{width}</width>'
            f'<height>{height}</height><depth>3</depth></size>{objs}</annotation>')


@pytest.fixture
def voc(tmp_path):
    xml_dir, img_dir = tmp_path / 'Annotations', tmp_path / 'JPEGImages'
    xml_dir.mkdir()
    img_dir.mkdir()
    for stem, ext in (('a', '.jpg'), ('b', '.png')):
        cv2.imwrite(str(img_dir / f'{stem}{ext}'), np.zeros((80, 100, 3), np.uint8))
    (xml_dir / 'a.xml').write_text(_xml('a.jpg', [('dog', 0, (11, 21, 40, 60)), ('cat', 1, (1, 1, 10, 10))]))
    # filename points nowhere: found by the stem; one box sticks out, one is empty after clipping
    (xml_dir / 'b.xml').write_text(_xml('missing.jpg', [('cat', 0, (90, 70, 130, 95)),
                                                        ('dog', 0, (150, 10, 170, 20))]))
    return xml_dir, img_dir


def test_converts_boxes_classes_and_difficult(voc):
    coco, counts = voc_to_coco(str(voc[0]), str(voc[1]))
    assert [c['name'] for c in coco['categories']] == ['cat', 'dog']
    assert [im['file_name'] for im in coco['images']] == ['a.jpg', 'b.png']
    anns = coco['annotations']
    assert len(anns) == 3
    assert anns[0]['bbox'] == [10.0, 20.0, 30.0, 40.0] and anns[0]['category_id'] == 2
    assert anns[1]['iscrowd'] == 1 and anns[1]['category_id'] == 1
    assert anns[2]['bbox'] == [89.0, 69.0, 11.0, 11.0]
    assert counts == {'clipped': 2, 'dropped_empty': 1, 'crowd': 1}


def test_class_ids_follow_classes_option(voc):
    coco, _ = voc_to_coco(str(voc[0]), str(voc[1]), classes=['dog', 'cat', 'bird'])
    assert [(c['id'], c['name']) for c in coco['categories']] == [(1, 'dog'), (2, 'cat'), (3, 'bird')]
    assert coco['annotations'][0]['category_id'] == 1


@pytest.mark.slow
def test_cli_writes_json(voc, tmp_path):
    out = tmp_path / 'out.json'
    result = subprocess.run([sys.executable, TOOL, '--xml-dir', str(voc[0]), '--img-dir', str(voc[1]),
                             '--out', str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'clipped 2, dropped empty 1' in result.stdout
    assert len(json.loads(out.read_text())['annotations']) == 3


@pytest.mark.slow
@pytest.mark.parametrize('case, message', [
    ('malformed', 'malformed XML'),
    ('missing_image', 'image not found'),
    ('unknown_class', "class 'horse' is not in --classes"),
])
def test_bad_input_names_the_file_exits_nonzero_and_writes_nothing(voc, tmp_path, case, message):
    xml_dir, img_dir = voc
    if case == 'malformed':
        (xml_dir / 'c.xml').write_text('<annotation><size>')
    elif case == 'missing_image':
        (xml_dir / 'c.xml').write_text(_xml('c.jpg', [('dog', 0, (1, 1, 5, 5))]))
    else:
        cv2.imwrite(str(img_dir / 'c.jpg'), np.zeros((80, 100, 3), np.uint8))
        (xml_dir / 'c.xml').write_text(_xml('c.jpg', [('horse', 0, (1, 1, 5, 5))]))
    out = tmp_path / 'out.json'
    result = subprocess.run([sys.executable, TOOL, '--xml-dir', str(xml_dir), '--img-dir', str(img_dir),
                             '--out', str(out), '--classes', 'cat,dog'], capture_output=True, text=True)
    assert result.returncode == 2
    assert message in result.stderr and 'c.xml' in result.stderr
    assert 'Traceback' not in result.stderr
    assert not out.exists() and list(tmp_path.glob('.out.json*')) == []
    with pytest.raises(DataError, match=message):
        voc_to_coco(str(xml_dir), str(img_dir), classes=['cat', 'dog'])


@pytest.mark.slow
def test_cli_strips_the_class_names_and_names_a_missing_folder(voc, tmp_path):
    out = tmp_path / 'out.json'
    result = subprocess.run([sys.executable, TOOL, '--xml-dir', str(voc[0]), '--img-dir', str(voc[1]),
                             '--out', str(out), '--classes', ' cat, dog ,bird'], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert [c['name'] for c in json.loads(out.read_text())['categories']] == ['cat', 'dog', 'bird']

    missing = tmp_path / 'VOC2007' / 'Annotations'
    result = subprocess.run([sys.executable, TOOL, '--xml-dir', str(missing), '--img-dir', str(voc[1]),
                             '--out', str(tmp_path / 'other.json')], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == f'error: --xml-dir {missing}: no such folder.'


@pytest.mark.parametrize('xml, message', [
    (_xml('c.jpg', [('dog', 0, (1, 1, 5, 5))], width=-3), r'<size> is -3 x 80; .* positive whole numbers'),
    (_xml('c.jpg', [('dog', 0, (1, 1, 5, 5))], width='nan'), r'<size> is nan x 80'),
    (_xml('c.jpg', [('dog', 0, ('nan', 1, 5, 5))]), r'has the coordinates \[nan, 1\.0, 5\.0, 5\.0\]; .* finite'),
])
def test_a_size_or_a_box_that_is_not_finite_and_positive_is_refused(voc, xml, message):
    xml_dir, img_dir = voc
    cv2.imwrite(str(img_dir / 'c.jpg'), np.zeros((80, 100, 3), np.uint8))
    (xml_dir / 'c.xml').write_text(xml)
    with pytest.raises(DataError, match=message):
        voc_to_coco(str(xml_dir), str(img_dir))


def _jpeg_turned_by_exif(image):
    """A JPEG of ``image`` whose EXIF orientation (6) says: turn it 90 degrees to show it, as phones write."""
    # one IFD entry: tag 0x0112 (orientation), type SHORT, count 1, value 6 (left-aligned in its 4 bytes)
    entry = (0x0112).to_bytes(2, 'big') + (3).to_bytes(2, 'big') + (1).to_bytes(4, 'big') + b'\x00\x06' + bytes(2)
    tiff = b'MM\x00\x2a' + (8).to_bytes(4, 'big') + (1).to_bytes(2, 'big') + entry + bytes(4)
    app1 = b'Exif\x00\x00' + tiff
    jpeg = cv2.imencode('.jpg', image)[1].tobytes()
    return jpeg[:2] + b'\xff\xe1' + (len(app1) + 2).to_bytes(2, 'big') + app1 + jpeg[2:]


def test_a_size_of_0_or_none_is_measured_on_the_image(voc):
    """LabelImg writes <width>0</width><height>0</height> for some files; the image knows its size, as
    training decodes it (a phone's JPEG turned by its EXIF orientation)."""
    xml_dir, img_dir = voc
    (img_dir / 'phone.jpg').write_bytes(_jpeg_turned_by_exif(np.zeros((20, 60, 3), np.uint8)))
    (xml_dir / 'phone.xml').write_text(_xml('phone.jpg', [('dog', 0, (1, 1, 15, 50))], width=0, height=0))
    cv2.imwrite(str(img_dir / 'c.jpg'), np.zeros((50, 70, 3), np.uint8))
    (xml_dir / 'c.xml').write_text(_xml('c.jpg', [('dog', 0, (1, 1, 60, 45))], width=0, height=0))
    cv2.imwrite(str(img_dir / 'd.png'), np.zeros((30, 40, 3), np.uint8))
    (xml_dir / 'd.xml').write_text('<annotation><filename>d.png</filename><object><name>cat</name><bndbox>'
                                   '<xmin>1</xmin><ymin>1</ymin><xmax>39</xmax><ymax>29</ymax></bndbox></object>'
                                   '</annotation>')
    coco, _ = voc_to_coco(str(xml_dir), str(img_dir))
    sizes = {im['file_name']: (im['width'], im['height']) for im in coco['images']}
    assert sizes['c.jpg'] == (70, 50) and sizes['d.png'] == (40, 30) and sizes['a.jpg'] == (100, 80)
    assert sizes['phone.jpg'] == (20, 60)  # stored 60 wide, shown turned: 20 wide, 60 high
    (img_dir / 'c.jpg').write_bytes(b'not an image')
    with pytest.raises(DataError, match=r'c\.xml: <size> is missing or 0, and the image cannot be measured '
                                        r'\(.*c\.jpg: not a readable image\.\)$'):
        voc_to_coco(str(xml_dir), str(img_dir))
