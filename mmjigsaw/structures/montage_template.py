"""The montage template of method.md §3: a square canvas cut once both ways into four regions."""
from dataclasses import dataclass
from typing import Tuple

import numpy as np

from mmjigsaw.utils import ConfigError

#: Which aspect group fills each region, in region order R1..R4 (R1 takes the smaller S).
REGION_GROUPS = ('S', 'W', 'T', 'S')


@dataclass(frozen=True)
class MontageTemplate:
    """Canvas ``canvas`` x ``canvas`` px, cut at ``cut`` px: R1 top-left (cut x cut), R2 top-right
    (cut high), R3 bottom-left (cut wide), R4 bottom-right. The paper's is 224 / 64."""
    canvas: int = 224
    cut: int = 64

    def __post_init__(self):
        if not 0 < self.cut < self.canvas:
            raise ConfigError(f'template: cut={self.cut} must lie strictly inside canvas={self.canvas}.')

    @property
    def regions(self) -> np.ndarray:
        """(4, 4) int boxes ``[x1, y1, x2, y2]`` of R1 (top-left), R2 (top-right), R3 (bottom-left),
        R4 (bottom-right) in canvas pixels."""
        c, k = self.cut, self.canvas
        return np.array([[0, 0, c, c], [c, 0, k, c], [0, c, c, k], [c, c, k, k]], dtype=np.int64)

    @property
    def region_areas(self) -> np.ndarray:
        r = self.regions
        return (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])

    def check_stride(self, stride: int) -> None:
        """Reject a template whose cut or canvas does not fall on the backbone's stride grid."""
        if self.canvas % stride or self.cut % stride:
            raise ConfigError(f'template canvas={self.canvas}, cut={self.cut} does not align with the '
                              f'backbone stride {stride}: both must be multiples of {stride} so that '
                              'every feature cell lies in one region (e.g. canvas=224, cut=64).')

    def feature_shape(self, stride: int) -> Tuple[int, int]:
        self.check_stride(stride)
        return self.canvas // stride, self.canvas // stride
