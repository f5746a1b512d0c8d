"""The runs of a study: a training run of fixed length (:class:`Cell`), a random-init run at equal
compute whose length the calibration decides (:class:`EqualComputeCell`), and a planned :class:`Step`."""
from dataclasses import dataclass
from typing import Callable, ClassVar, Optional, Union

#: (backbone, Montage fine-tuning epochs L) -> L + E, or None before the calibration exists
EqualEpochs = Callable[[str, int], Optional[int]]


@dataclass(frozen=True)
class Cell:
    """One training run of the study.

    Attributes:
        kind: 'pretrain' or 'finetune'.
        backbone: a key of the study's ``backbones``.
        variant: the pre-training variant behind a Montage backbone ('' for ImageNet and scratch).
        init: fine-tuning: 'montage', 'imagenet' or 'scratch' ('' for pre-training).
        epochs: fine-tuning length (0 for pre-training).
        seed: seed of the run (weights, data order, montages).
    """
    kind: str
    backbone: str
    variant: str
    init: str
    epochs: int
    seed: int
    needs_calibration: ClassVar[bool] = False

    @property
    def key(self) -> str:
        if self.kind == 'pretrain':
            return f'pretrain_{self.backbone}_{self.variant}_seed{self.seed}'
        source = self.variant if self.init == 'montage' else self.init
        return f'finetune_{self.backbone}_{source}_{self.epochs}e_seed{self.seed}'

    @property
    def pretraining(self) -> 'Cell':
        """The pre-training run behind a Montage fine-tuning."""
        return Cell('pretrain', self.backbone, self.variant, '', 0, self.seed)

    def resolve(self, equal_epochs: EqualEpochs) -> 'Cell':
        return self


@dataclass(frozen=True)
class EqualComputeCell:
    """Random init fine-tuned for L + E epochs, the compute of Montage pre-training + ``epochs`` (L).

    E comes from the calibration (:mod:`.calibration`), measured on the runs at ``calibration_length``
    epochs; until it exists the cell has no length and cannot run.
    """
    backbone: str
    epochs: int
    seed: int
    calibration_length: int
    needs_calibration: ClassVar[bool] = True

    @property
    def key(self) -> str:
        return f'finetune_{self.backbone}_scratch-equal-to-{self.epochs}e_seed{self.seed}'

    def resolve(self, equal_epochs: EqualEpochs) -> Optional[Cell]:
        """The run at L + E epochs, or None before the calibration exists."""
        total = equal_epochs(self.backbone, self.epochs)
        return None if total is None else Cell('finetune', self.backbone, '', 'scratch', total, self.seed)


PlannedRun = Union[Cell, EqualComputeCell]


@dataclass(frozen=True)
class Step:
    """A planned run and the part of the study it belongs to."""
    part: str
    run: PlannedRun
