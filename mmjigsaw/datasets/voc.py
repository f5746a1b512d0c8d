"""Pascal VOC XML annotations to a COCO dict."""
import math
import os
import os.path as osp
import xml.etree.ElementTree as ET
from collections import Counter
from typing import Dict, List, Optional, Sequence, Tuple

from mmjigsaw.errors import DataError
from mmjigsaw.utils.image import read_image_rgb

IMAGE_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp', '.JPG', '.JPEG', '.PNG')


def _text(node: ET.Element, tag: str, xml_path: str) -> str:
    child = node.find(tag)
    if child is None or child.text is None:
        raise DataError(f'{xml_path}: missing <{tag}>; every VOC object needs name and bndbox.')
    return child.text.strip()


def _find_image(root: ET.Element, xml_path: str, img_dir: str) -> str:
    """The image file of one XML: its ``filename`` if present in ``img_dir``, else its stem."""
    filename = root.findtext('filename')
    if filename and osp.isfile(osp.join(img_dir, filename.strip())):
        return filename.strip()
    stem = osp.splitext(osp.basename(xml_path))[0]
    for ext in IMAGE_EXTENSIONS:
        if osp.isfile(osp.join(img_dir, stem + ext)):
            return stem + ext
    raise DataError(f'{xml_path}: image not found in {img_dir} (looked for '
                    f'{filename!r} and {stem} with {"/".join(IMAGE_EXTENSIONS)}).')


def _image_size(root: ET.Element, xml_path: str, image_path: str) -> Tuple[int, int]:
    """(width, height) in pixels from ``<size>``: positive whole numbers; where it is missing or 0 (as
    LabelImg writes for some files), measured on the image instead."""
    size = root.find('size')
    texts = [(size.findtext(tag) or '').strip() if size is not None else '' for tag in ('width', 'height')]
    try:
        width, height = (float(text or 0) for text in texts)
    except ValueError:
        raise DataError(f'{xml_path}: <size> width/height are not numbers.') from None
    if width == 0 or height == 0:
        try:  # decoded as training decodes it: a JPEG's EXIF orientation applied
            height, width = read_image_rgb(image_path).shape[:2]
        except DataError as err:
            raise DataError(f'{xml_path}: <size> is missing or 0, and the image cannot be measured ({err})') from None
        return width, height
    if not all(v > 0 and v.is_integer() for v in (width, height)):  # also False for nan and inf
        raise DataError(f'{xml_path}: <size> is {width:g} x {height:g}; width and height must be positive '
                        'whole numbers of pixels.')
    return int(width), int(height)


def parse_voc_xml(xml_path: str, img_dir: str) -> Tuple[Dict, List[Dict]]:
    """Read one VOC XML file.

    Returns:
        The image (``file_name``, ``width``, ``height``: ``<size>``, or the image's where that is
        missing or 0) and its objects (``name``, ``difficult``,
        ``box`` [x1, y1, x2, y2] in VOC's 1-based pixel coordinates as floats).
    """
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as err:
        raise DataError(f'{xml_path}: malformed XML ({err}).') from None
    file_name = _find_image(root, xml_path, img_dir)
    width, height = _image_size(root, xml_path, osp.join(img_dir, file_name))
    image = dict(file_name=file_name, width=width, height=height)
    objects = []
    for obj in root.findall('object'):
        box_node = obj.find('bndbox')
        if box_node is None:
            raise DataError(f'{xml_path}: an <object> has no <bndbox>.')
        try:
            box = [float(_text(box_node, tag, xml_path)) for tag in ('xmin', 'ymin', 'xmax', 'ymax')]
        except ValueError:
            raise DataError(f'{xml_path}: a <bndbox> coordinate is not a number.') from None
        if not all(math.isfinite(v) for v in box):
            raise DataError(f'{xml_path}: a <bndbox> has the coordinates {box}; they must be finite.')
        difficult = obj.findtext('difficult', default='0').strip() in ('1', 'true')
        objects.append(dict(name=_text(obj, 'name', xml_path), difficult=difficult, box=box))
    return image, objects


def voc_to_coco(xml_dir: str, img_dir: str,
                classes: Optional[Sequence[str]] = None) -> Tuple[Dict, Counter]:
    """Convert a flat folder of VOC XML files to one COCO dict.

    Category ids follow ``classes`` (1-based) when given, else the sorted class names found.
    ``difficult`` objects become ``iscrowd=1``. Boxes are clipped to the image; empty ones dropped.

    Returns:
        The COCO dict and counts (``clipped``, ``dropped_empty``, ``crowd``).
    """
    xml_files = sorted(f for f in os.listdir(xml_dir) if f.endswith('.xml'))
    if not xml_files:
        raise DataError(f'{xml_dir}: no .xml files found.')
    parsed = [(osp.join(xml_dir, f), *parse_voc_xml(osp.join(xml_dir, f), img_dir)) for f in xml_files]
    if classes is None:
        classes = sorted({obj['name'] for _, _, objects in parsed for obj in objects})
    class_ids = {name: i + 1 for i, name in enumerate(classes)}
    counts = Counter()
    images, annotations = [], []
    for image_id, (xml_path, image, objects) in enumerate(parsed, start=1):
        images.append(dict(id=image_id, **image))
        for obj in objects:
            if obj['name'] not in class_ids:
                raise DataError(f'{xml_path}: class {obj["name"]!r} is not in --classes '
                                f'({",".join(classes)}); add it or remove the object.')
            # VOC pixels are 1-based and inclusive: [xmin - 1, xmax] in 0-based continuous coordinates
            x1, y1, x2, y2 = obj['box'][0] - 1, obj['box'][1] - 1, obj['box'][2], obj['box'][3]
            cx1, cy1 = min(max(x1, 0), image['width']), min(max(y1, 0), image['height'])
            cx2, cy2 = min(max(x2, 0), image['width']), min(max(y2, 0), image['height'])
            if (cx1, cy1, cx2, cy2) != (x1, y1, x2, y2):
                counts['clipped'] += 1
            if cx2 <= cx1 or cy2 <= cy1:
                counts['dropped_empty'] += 1
                continue
            counts['crowd'] += obj['difficult']
            w, h = cx2 - cx1, cy2 - cy1
            annotations.append(dict(id=len(annotations) + 1, image_id=image_id,
                                    category_id=class_ids[obj['name']], bbox=[cx1, cy1, w, h],
                                    area=w * h, iscrowd=int(obj['difficult'])))
    categories = [dict(id=i, name=name) for name, i in class_ids.items()]
    return dict(images=images, annotations=annotations, categories=categories), counts
