"""Detections beside the ground truth, from plain arrays: boxes with captions, titled panels, rows of panels."""
from typing import Optional, Sequence, Tuple

import cv2
import numpy as np

Colour = Tuple[int, int, int]  # RGB
FONT, FONT_SCALE = cv2.FONT_HERSHEY_SIMPLEX, 0.4


def fit_image(img: np.ndarray, boxes: Sequence[np.ndarray], size: int) -> Tuple[np.ndarray, list]:
    """Resize an (H, W, 3) image so that its longer side is ``size`` pixels, and scale each (N, 4)
    array of (x1, y1, x2, y2) boxes (pixels) with it; returns the image and the scaled boxes."""
    factor = size / max(img.shape[:2])
    out = cv2.resize(np.ascontiguousarray(img), (round(img.shape[1] * factor), round(img.shape[0] * factor)),
                     interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    return out, [np.asarray(b, np.float64).reshape(-1, 4) * factor for b in boxes]


def draw_boxes(img: np.ndarray, boxes: np.ndarray, labels: Sequence[int], classes: Sequence[str], colour: Colour,
               scores: Optional[Sequence[float]] = None, thickness: int = 2) -> np.ndarray:
    """A copy of an (H, W, 3) uint8 RGB image with each (x1, y1, x2, y2) box (pixels) outlined in
    ``colour`` and captioned with its class name, and its score (0-1) when given, on a filled label
    above the box (inside it where the image ends)."""
    out = np.ascontiguousarray(img).copy()
    for i, (box, label) in enumerate(zip(np.asarray(boxes).reshape(-1, 4), labels)):
        x1, y1, x2, y2 = (int(round(v)) for v in box)
        cv2.rectangle(out, (x1, y1), (x2 - 1, y2 - 1), colour, thickness)
        text = classes[int(label)] + ('' if scores is None else f' {scores[i]:.2f}')
        (tw, th), _ = cv2.getTextSize(text, FONT, FONT_SCALE, 1)
        top = y1 - th - 4 if y1 - th - 4 >= 0 else y1
        cv2.rectangle(out, (x1, top), (x1 + tw + 4, top + th + 4), colour, -1)
        cv2.putText(out, text, (x1 + 2, top + th + 1), FONT, FONT_SCALE, (0, 0, 0), 1, cv2.LINE_AA)
    return out


def titled(img: np.ndarray, title: str, height: int = 20) -> np.ndarray:
    """The (H, W, 3) image under a white strip ``height`` pixels high that carries ``title`` in black."""
    strip = np.full((height, img.shape[1], 3), 255, np.uint8)
    (_, th), _ = cv2.getTextSize(title, FONT, FONT_SCALE, 1)
    cv2.putText(strip, title, (2, (height + th) // 2), FONT, FONT_SCALE, (0, 0, 0), 1, cv2.LINE_AA)
    return np.concatenate([strip, img], axis=0)


def panel_rows(rows: Sequence[Sequence[np.ndarray]], gap: int = 4) -> np.ndarray:
    """Tile rows of (H, W, 3) uint8 panels on white: panels of a row side by side and top-aligned,
    rows one under the other and left-aligned, ``gap`` pixels around each."""
    heights = [max(p.shape[0] for p in row) for row in rows]
    widths = [sum(p.shape[1] + gap for p in row) + gap for row in rows]
    out = np.full((sum(h + gap for h in heights) + gap, max(widths), 3), 255, np.uint8)
    y = gap
    for row, height in zip(rows, heights):
        x = gap
        for p in row:
            out[y:y + p.shape[0], x:x + p.shape[1]] = p
            x += p.shape[1] + gap
        y += height + gap
    return out
