"""Heat maps of effective receptive fields over a montage (the paper's Figure 6)."""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .montage import REGION_COLOURS, draw_montage, image_grid


def erf_heatmap(erf_map: np.ndarray, background: Optional[np.ndarray] = None, gamma: float = 0.5) -> np.ndarray:
    """(H, W, 3) uint8 RGB picture of one ERF map in the 'jet' colours.

    The map is scaled to its maximum and raised to ``gamma`` (0.5: a square-root scale, so the tails
    of the ERF show, not only its peak). Over a ``background``, each pixel blends towards the heat
    colour in proportion to its scaled ERF, so the montage stays visible where the ERF is small.
    """
    scaled = (erf_map / max(float(erf_map.max()), 1e-12)) ** gamma
    colour = cv2.applyColorMap((scaled * 255).astype(np.uint8), cv2.COLORMAP_JET)[..., ::-1].astype(np.float32)
    if background is None:
        return colour.astype(np.uint8)
    weight = np.clip(scaled, 0.15, 1.0)[..., None]
    return np.ascontiguousarray((background.astype(np.float32) * (1 - weight) + colour * weight).astype(np.uint8))


def draw_erf_grid(erf: np.ndarray, positions: Sequence[Tuple[int, int]], feat_hw: Tuple[int, int],
                  regions: np.ndarray, montage: Optional[np.ndarray] = None,
                  labels: Optional[Sequence[int]] = None, classes: Optional[Sequence[str]] = None,
                  zoom: int = 2) -> np.ndarray:
    """One panel per feature position (row, col): its ERF over the montage, the cell marked.

    Args:
        erf: (Hf*Wf, H, W) ERF maps.
        positions: feature positions to show.
        feat_hw: (Hf, Wf).
        regions: (4, 4) region boxes in canvas pixels, drawn on every panel.
        montage: (H, W, 3) uint8 RGB shown under the heat map, if given.
        labels: the four regions' class indices (default: 0 each).
        classes: class names the labels index (default: '?').
        zoom: integer magnification of each panel.

    Returns:
        (H', W', 3) uint8 RGB picture: the panels in rows of at most four.
    """
    h, w = erf.shape[-2:]
    stride_y, stride_x = h / feat_hw[0], w / feat_hw[1]
    labels = labels if labels is not None else [0, 0, 0, 0]
    classes = classes if classes is not None else ['?']
    panels = []
    for row, col in positions:
        heat = erf_heatmap(erf[row * feat_hw[1] + col], montage)
        x1, y1 = int(col * stride_x), int(row * stride_y)
        cv2.rectangle(heat, (x1, y1), (int(x1 + stride_x) - 1, int(y1 + stride_y) - 1), (255, 255, 255), 1)
        panels.append(draw_montage(heat, regions, labels, classes, zoom=zoom))
    return image_grid(panels, cols=min(4, len(panels)))


def region_centre_positions(cell_regions: np.ndarray) -> List[Tuple[int, int]]:
    """One feature position (row, col) per region of an (Hf, Wf) map of cell regions: the middle
    one of its cells, row-major."""
    positions = []
    for r in range(4):
        cells = np.argwhere(cell_regions == r)
        positions.append(tuple(int(v) for v in cells[len(cells) // 2]))
    return positions


def draw_erf_evolution(maps: np.ndarray, iters: Sequence[int], positions: Sequence[Tuple[int, int]],
                       feat_hw: Tuple[int, int], regions: np.ndarray, canvas_hw: Tuple[int, int]) -> np.ndarray:
    """How the ERF of a few fixed feature positions changes over training: one row per position,
    one column per refresh, each panel the heat map of that position's ERF (scaled to its own
    maximum) with the region borders and the position's cell marked.

    Args:
        maps: (T, P, h, w) ERF maps of P positions at T refreshes, at any resolution h x w.
        iters: the T iterations of the refreshes (column headers).
        positions: the P feature positions (row, col) (row labels).
        feat_hw: (Hf, Wf) of the feature map.
        regions: (4, 4) region boxes in canvas pixels.
        canvas_hw: (H, W) of the montage canvas the regions and ``feat_hw`` refer to.

    Returns:
        (H', W', 3) uint8 RGB picture.
    """
    num_iters, num_pos, h, w = maps.shape
    if num_iters != len(iters) or num_pos != len(positions):
        raise ValueError(f'draw_erf_evolution: maps {maps.shape} for {len(iters)} iterations and '
                         f'{len(positions)} positions')
    sy, sx = h / canvas_hw[0], w / canvas_hw[1]
    cell_h, cell_w = canvas_hw[0] / feat_hw[0] * sy, canvas_hw[1] / feat_hw[1] * sx
    gap, label_w, header_h = 4, 56, 18
    out = np.full((header_h + num_pos * (h + gap), label_w + num_iters * (w + gap), 3), 255, np.uint8)
    text = dict(fontFace=cv2.FONT_HERSHEY_SIMPLEX, fontScale=0.4, color=(0, 0, 0), thickness=1,
                lineType=cv2.LINE_AA)
    for t, it in enumerate(iters):
        cv2.putText(out, f'iter {it}', (label_w + t * (w + gap) + 2, header_h - 5), **text)
    for p, (row, col) in enumerate(positions):
        y = header_h + p * (h + gap)
        cv2.putText(out, f'({row},{col})', (4, y + h // 2 + 4), **text)
        for t in range(num_iters):
            panel = erf_heatmap(maps[t, p])
            for r, (x1, y1, x2, y2) in enumerate(np.asarray(regions, np.float64)):
                cv2.rectangle(panel, (int(x1 * sx), int(y1 * sy)), (int(x2 * sx) - 1, int(y2 * sy) - 1),
                              REGION_COLOURS[r], 1)
            x1, y1 = int(col * cell_w), int(row * cell_h)
            cv2.rectangle(panel, (x1, y1), (int(x1 + cell_w) - 1, int(y1 + cell_h) - 1), (255, 255, 255), 1)
            x = label_w + t * (w + gap)
            out[y:y + h, x:x + w] = panel
    return out
