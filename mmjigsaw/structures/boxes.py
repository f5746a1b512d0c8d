"""Box helpers shared by the data tools. Boxes are ``[x1, y1, x2, y2]`` in pixels."""
import numpy as np

#: Aspect-ratio groups of docs/method.md §2, with r = width / height.
ASPECT_GROUPS = ('S', 'T', 'W')
TALL_MAX_RATIO = 0.5
WIDE_MIN_RATIO = 1.5


def aspect_group(width: float, height: float) -> str:
    """'T' (tall) for r < 0.5, 'W' (wide) for r > 1.5, else 'S' (square); r = width / height."""
    ratio = width / height
    if ratio < TALL_MAX_RATIO:
        return 'T'
    if ratio > WIDE_MIN_RATIO:
        return 'W'
    return 'S'


def xywh_to_xyxy(box) -> np.ndarray:
    """COCO ``[x, y, w, h]`` to ``[x1, y1, x2, y2]`` (float64)."""
    x, y, w, h = (float(v) for v in box)
    return np.array([x, y, x + w, y + h], dtype=np.float64)


def intersection_areas(box: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """Areas (px^2) of the intersections of one box (4,) with each of ``boxes`` (N, 4)."""
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    iw = np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0])
    ih = np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1])
    return np.clip(iw, 0, None) * np.clip(ih, 0, None)
