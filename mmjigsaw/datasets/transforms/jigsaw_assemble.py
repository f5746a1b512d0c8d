"""Tiling four samples into one montage (docs/method.md §3)."""
from typing import Dict, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform

from mmjigsaw.errors import ConfigError
from mmjigsaw.registry import TRANSFORMS
from mmjigsaw.structures import MontageTemplate


def place_sample(img: np.ndarray, region_hw: Tuple[int, int], scale: float, flip: bool,
                 offset_fraction: Tuple[float, float]) -> Tuple[np.ndarray, Tuple[int, int]]:
    """Rescale (aspect kept), flip, then crop or pad one sample to a region.

    The sample is scaled by ``scale`` to ``round(h * scale) x round(w * scale)``. Along each axis
    where that is larger than the region a window of the region's size is cut out; where it is
    smaller it is placed inside the region and the rest stays zero. ``offset_fraction`` (each in
    [0, 1)) chooses the window or the placement. Only the source pixels that end up in the region
    are resized, so a large crop costs no more than a small one.

    Returns:
        The resampled pixels (h', w', 3) and where their top-left goes in the region (y, x).
    """
    h, w = img.shape[:2]
    rh, rw = region_hw
    sh, sw = max(1, round(h * scale)), max(1, round(w * scale))
    out_h, out_w = min(sh, rh), min(sw, rw)
    # window in the scaled (and, if flipped, mirrored) sample, and placement in the region
    crop_y = int(offset_fraction[0] * (sh - out_h + 1))
    crop_x = int(offset_fraction[1] * (sw - out_w + 1))
    pad_y = int(offset_fraction[0] * (rh - out_h + 1))
    pad_x = int(offset_fraction[1] * (rw - out_w + 1))
    if flip:
        crop_x = sw - crop_x - out_w  # the same window, counted from the unmirrored side
    # resize only the whole source pixels behind the window, at the sample's scale, then cut it
    y0, y1 = (crop_y * h) // sh, -((-(crop_y + out_h) * h) // sh)
    x0, x1 = (crop_x * w) // sw, -((-(crop_x + out_w) * w) // sw)
    th, tw = max(out_h, round((y1 - y0) * sh / h)), max(out_w, round((x1 - x0) * sw / w))
    resized = cv2.resize(img[y0:y1, x0:x1], (tw, th), interpolation=cv2.INTER_LINEAR)
    oy = min(max(round(crop_y - y0 * sh / h), 0), th - out_h)
    ox = min(max(round(crop_x - x0 * sw / w), 0), tw - out_w)
    out = resized[oy:oy + out_h, ox:ox + out_w]
    return (cv2.flip(out, 1) if flip else out), (pad_y, pad_x)


@TRANSFORMS.register_module()
class JigsawAssemble(BaseTransform):
    """Tile 2 S + 1 T + 1 W samples into one montage without warping.

    Which sample fills which region is the template's rule (:meth:`MontageTemplate.region_order`:
    the smaller S by area fills R1, W fills R2, T fills R3, the larger S fills R4). Each sample
    is rescaled by s ~ U[scale] with its aspect ratio kept, flipped with ``flip_prob``, then
    randomly cropped where larger than its region and zero-padded where smaller.

    Required Keys:
        - samples: four dicts with ``img`` (H, W, 3) uint8 and ``label``, in the template's
          ``SAMPLE_GROUPS`` order (S, S, T, W).
        - rng (optional): a ``np.random.Generator`` for all random choices; else one is drawn from
          NumPy's global state.

    Added Keys:
        - img: (canvas, canvas, 3) uint8 montage.
        - img_shape: (canvas, canvas).
        - regions: (4, 4) int64 region boxes [x1, y1, x2, y2], R1 top-left, R2 top-right,
          R3 bottom-left, R4 bottom-right.
        - region_labels: (4,) int64 labels of the samples in R1..R4.
        - content_boxes: (4, 4) int64 part of each region holding sample pixels (the rest is zero).

    Args:
        template: ``dict(canvas=224, cut=64)`` (docs/method.md §3).
        stride: backbone output stride; a template that does not align with it is rejected.
        scale: range of the uniform rescale factor.
        flip_prob: probability of a horizontal flip per sample.
        fit: ``'pad_crop'`` (the method: aspect kept, rescale, crop or pad) or ``'warp'`` (the
            paper's ablation: each sample resized to exactly its region, aspect ratio distorted,
            ``scale`` unused).
    """

    FITS = ('pad_crop', 'warp')

    def __init__(self, template: Optional[Dict] = None, stride: int = 32,
                 scale: Sequence[float] = (0.8, 1.5), flip_prob: float = 0.5, fit: str = 'pad_crop'):
        self.template = MontageTemplate(**(template or {}))
        self.template.check_stride(stride)
        if not 0 < scale[0] <= scale[1]:
            raise ConfigError(f'JigsawAssemble: scale={tuple(scale)} must be a range 0 < low <= high '
                              '(the paper: (0.8, 1.5)).')
        if not 0 <= flip_prob <= 1:
            raise ConfigError(f'JigsawAssemble: flip_prob={flip_prob} must lie in [0, 1].')
        if fit not in self.FITS:
            raise ConfigError(f'JigsawAssemble: fit={fit!r} must be one of {self.FITS}.')
        self.scale = tuple(scale)
        self.flip_prob = flip_prob
        self.fit = fit

    def transform(self, results: Dict) -> Dict:
        rng = results.get('rng') or np.random.default_rng(np.random.randint(2**31))
        samples = results['samples']
        ordered = [samples[i] for i in self.template.region_order([s['img'].shape[0] * s['img'].shape[1]
                                                                   for s in samples])]
        regions = self.template.regions
        canvas = np.zeros((self.template.canvas, self.template.canvas, 3), dtype=np.uint8)
        content = np.zeros((4, 4), dtype=np.int64)
        for r, (sample, (x1, y1, x2, y2)) in enumerate(zip(ordered, regions)):
            if self.fit == 'warp':
                pixels = cv2.resize(sample['img'], (x2 - x1, y2 - y1), interpolation=cv2.INTER_LINEAR)
                py = px = 0
                if rng.random() < self.flip_prob:
                    pixels = cv2.flip(pixels, 1)
            else:
                pixels, (py, px) = place_sample(sample['img'], (y2 - y1, x2 - x1),
                                                scale=rng.uniform(*self.scale),
                                                flip=rng.random() < self.flip_prob,
                                                offset_fraction=(rng.random(), rng.random()))
            ph, pw = pixels.shape[:2]
            canvas[y1 + py:y1 + py + ph, x1 + px:x1 + px + pw] = pixels
            content[r] = (x1 + px, y1 + py, x1 + px + pw, y1 + py + ph)
        results['img'] = canvas
        results['img_shape'] = canvas.shape[:2]
        results['regions'] = regions
        results['region_labels'] = np.array([s['label'] for s in ordered], dtype=np.int64)
        results['content_boxes'] = content
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(template={self.template}, scale={self.scale}, '
                f'flip_prob={self.flip_prob}, fit={self.fit!r})')
