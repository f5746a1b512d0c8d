"""Pictures of montages: region borders and class names."""
from typing import Sequence

import cv2
import numpy as np

REGION_COLOURS = ((255, 80, 80), (80, 200, 80), (80, 140, 255), (255, 200, 40))  # RGB, R1..R4


def draw_montage(img: np.ndarray, regions: np.ndarray, labels: Sequence[int], classes: Sequence[str],
                 zoom: int = 2) -> np.ndarray:
    """A (zoom*H, zoom*W, 3) uint8 RGB picture of a montage with region borders and class names."""
    out = cv2.resize(np.ascontiguousarray(img), None, fx=zoom, fy=zoom, interpolation=cv2.INTER_NEAREST)
    for r, ((x1, y1, x2, y2), label) in enumerate(zip(np.asarray(regions) * zoom, labels)):
        colour = REGION_COLOURS[r]
        cv2.rectangle(out, (int(x1), int(y1)), (int(x2) - 1, int(y2) - 1), colour, 2)
        text = f'R{r + 1} {classes[int(label)]}'
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.4, 1)
        cv2.rectangle(out, (int(x1) + 2, int(y1) + 2), (int(x1) + 6 + tw, int(y1) + 6 + th), colour, -1)
        cv2.putText(out, text, (int(x1) + 4, int(y1) + 4 + th), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 1,
                    cv2.LINE_AA)
    return out


def image_grid(images: Sequence[np.ndarray], cols: int, gap: int = 4) -> np.ndarray:
    """Tile equally sized (H, W, 3) images into rows of ``cols`` on a white background."""
    h, w = images[0].shape[:2]
    rows = (len(images) + cols - 1) // cols
    grid = np.full((rows * (h + gap) + gap, cols * (w + gap) + gap, 3), 255, np.uint8)
    for i, im in enumerate(images):
        y, x = gap + (i // cols) * (h + gap), gap + (i % cols) * (w + gap)
        grid[y:y + h, x:x + w] = im
    return grid


def save_rgb_png(path: str, img: np.ndarray) -> None:
    if not cv2.imwrite(path, np.ascontiguousarray(img[..., ::-1])):
        raise OSError(f'could not write {path}')
