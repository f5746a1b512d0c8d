"""The montage layout of docs/method.md §3, defined once: the canvas, its four regions, which samples a
montage takes, which sample fills which region, and which region each feature cell belongs to."""
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Dict, List, Sequence, Tuple

import numpy as np

from mmjigsaw.errors import ConfigError


@dataclass(frozen=True)
class MontageTemplate:
    """Canvas ``canvas`` x ``canvas`` px, cut at ``cut`` px (0 < cut < canvas / 2): R1 top-left
    (a cut x cut square), R2 top-right (cut high: wide), R3 bottom-left (cut wide: tall), R4
    bottom-right (the larger square). The paper's is 224 / 64."""
    canvas: int = 224
    cut: int = 64

    #: The aspect groups of the four samples a montage takes, in the order they are handed over.
    SAMPLE_GROUPS: ClassVar[Tuple[str, ...]] = ('S', 'S', 'T', 'W')
    #: The group that fills each region R1..R4 (of two samples of a group, the smaller fills the
    #: smaller region: R1 takes the smaller S).
    REGION_GROUPS: ClassVar[Tuple[str, ...]] = ('S', 'W', 'T', 'S')
    #: Where the samples of an empty group come from instead, first choice first (the paper does not
    #: say: our choice, docs/method.md §3).
    GROUP_SUBSTITUTES: ClassVar[Dict[str, Tuple[str, ...]]] = {'S': ('W', 'T'), 'T': ('S', 'W'),
                                                               'W': ('S', 'T')}

    def __post_init__(self):
        if not 0 < 2 * self.cut < self.canvas:
            raise ConfigError(f'template: cut={self.cut} must lie strictly between 0 and half the canvas '
                              f'({self.canvas} / 2): only then is R2 wide, R3 tall and R1 the smaller square, '
                              'as the W, T and S samples that fill them.')

    @property
    def regions(self) -> np.ndarray:
        """(4, 4) int boxes ``[x1, y1, x2, y2]`` of R1 (top-left), R2 (top-right), R3 (bottom-left),
        R4 (bottom-right) in canvas pixels."""
        c, k = self.cut, self.canvas
        return np.array([[0, 0, c, c], [c, 0, k, c], [0, c, c, k], [c, c, k, k]], dtype=np.int64)

    @property
    def region_areas(self) -> np.ndarray:
        """(4,) areas of R1..R4, px^2."""
        r = self.regions
        return (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])

    @cached_property
    def _group_slots(self) -> Tuple[Tuple[Tuple[int, ...], Tuple[int, ...]], ...]:
        """For each group: its positions in ``SAMPLE_GROUPS`` and its regions, smallest first
        (computed once: :meth:`region_order` runs for every montage)."""
        return tuple((tuple(i for i, g in enumerate(self.SAMPLE_GROUPS) if g == group),
                      tuple(sorted((r for r, g in enumerate(self.REGION_GROUPS) if g == group),
                                   key=lambda r: self.region_areas[r])))
                     for group in dict.fromkeys(self.REGION_GROUPS))

    def region_order(self, sample_areas: Sequence[float]) -> List[int]:
        """Which of the four samples (given in ``SAMPLE_GROUPS`` order, with their pixel areas)
        fills R1, R2, R3 and R4: each region takes a sample of its group, and within a group the
        samples go to the regions in the same order of size."""
        order = [0] * 4
        for samples, regions in self._group_slots:
            for r, i in zip(regions, sorted(samples, key=sample_areas.__getitem__)):
                order[r] = i
        return order

    def check_stride(self, stride: int) -> None:
        """Reject a template whose cut or canvas does not fall on the backbone's stride grid."""
        if self.canvas % stride or self.cut % stride:
            raise ConfigError(f'template canvas={self.canvas}, cut={self.cut} does not align with the '
                              f'backbone stride {stride}: both must be multiples of {stride} so that '
                              'every feature cell lies in one region (e.g. canvas=224, cut=64).')

    def feature_shape(self, stride: int) -> Tuple[int, int]:
        """(Hf, Wf) of a backbone's feature map at ``stride`` over the canvas."""
        self.check_stride(stride)
        return self.canvas // stride, self.canvas // stride

    def cell_regions(self, stride: int) -> np.ndarray:
        """(Hf, Wf) int64: the region (0..3 for R1..R4) that holds the centre of each feature cell."""
        hf, wf = self.feature_shape(stride)
        cy = (np.arange(hf) + 0.5) * stride
        cx = (np.arange(wf) + 0.5) * stride
        return (cy[:, None] >= self.cut).astype(np.int64) * 2 + (cx[None, :] >= self.cut)
