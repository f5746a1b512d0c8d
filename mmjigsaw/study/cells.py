"""The runs of a study: a training run of fixed length (:class:`Cell`), runs whose length a calibration
decides (:class:`EqualComputeCell`, :class:`DirectCell`), a run planned on a condition
(:class:`ExtensionCell`), and a planned :class:`Step`."""
from dataclasses import dataclass, fields
from typing import ClassVar, Dict, Optional, Protocol, Union

MONTAGE_INITS = ('montage', 'montage-unfrozen')  # fine-tunings from a Montage pre-trained backbone


class Calibrated(Protocol):
    """What the calibrations decided (:class:`~.calibration.Calibrations`); None where not yet.

    Called as ``calibrated(backbone, L)``: L + E, random init's epochs at the compute of Montage + L.
    """

    def __call__(self, backbone: str, epochs: int) -> Optional[int]:
        ...

    def direct_epochs(self, backbone: str) -> Optional[int]:
        """D: epochs of direct detection pre-training at the Montage pre-training's compute."""

    def extension_due(self, backbone: str) -> Optional[bool]:
        """Whether the curve's extension runs (both arms still climbing)."""


@dataclass(frozen=True)
class Cell:
    """One training run of the study.

    Attributes:
        kind: 'pretrain' or 'finetune'.
        backbone: a key of the study's ``backbones``.
        variant: the pre-training variant behind a Montage backbone, 'direct' for direct detection
            pre-training ('' for ImageNet and scratch).
        init: fine-tuning: 'montage', 'montage-unfrozen', 'direct', 'imagenet' or 'scratch' ('' for
            pre-training).
        epochs: fine-tuning length; a direct pre-training's length (0 for Montage pre-training,
            whose length its config fixes).
        seed: seed of the run (weights, data order, montages).
        pretrain_epochs: a 'direct' fine-tuning's pre-training length (0 otherwise).
    """
    kind: str
    backbone: str
    variant: str
    init: str
    epochs: int
    seed: int
    pretrain_epochs: int = 0
    needs_calibration: ClassVar[bool] = False

    @classmethod
    def of(cls, record: Dict) -> 'Cell':
        """The cell a runs.json record (a run's or a divergence's) holds the fields of."""
        return cls(**{f.name: record[f.name] for f in fields(cls) if f.name in record})

    @property
    def source(self) -> str:
        """What the row is named by: the variant of a Montage fine-tuning, else the initialisation."""
        return self.variant if self.init == 'montage' else self.init

    @property
    def key(self) -> str:
        if self.kind == 'pretrain':
            length = f'-{self.epochs}e' if self.epochs else ''
            return f'pretrain_{self.backbone}_{self.variant}{length}_seed{self.seed}'
        source = f'direct-{self.pretrain_epochs}e' if self.init == 'direct' else self.source
        return f'finetune_{self.backbone}_{source}_{self.epochs}e_seed{self.seed}'

    @property
    def pretraining(self) -> Optional['Cell']:
        """The pre-training run behind a fine-tuning (Montage or direct), else None."""
        if self.init in MONTAGE_INITS:
            return Cell('pretrain', self.backbone, self.variant, '', 0, self.seed)
        if self.init == 'direct':
            return Cell('pretrain', self.backbone, 'direct', '', self.pretrain_epochs, self.seed)
        return None

    def resolve(self, calibrated: Calibrated) -> 'Cell':
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

    def resolve(self, calibrated: Calibrated) -> Optional[Cell]:
        """The run at L + E epochs, or None before the calibration exists."""
        total = calibrated(self.backbone, self.epochs)
        return None if total is None else Cell('finetune', self.backbone, '', 'scratch', total, self.seed)


@dataclass(frozen=True)
class DirectCell:
    """Direct detection pre-training for D epochs, then ``epochs`` of fine-tuning: D makes the
    pre-training cost what Montage pre-training costs, measured on the ``probe`` run."""
    backbone: str
    epochs: int
    seed: int
    probe: Cell
    needs_calibration: ClassVar[bool] = True

    @property
    def key(self) -> str:
        return f'finetune_{self.backbone}_direct_{self.epochs}e_seed{self.seed}'

    def resolve(self, calibrated: Calibrated) -> Optional[Cell]:
        pre = calibrated.direct_epochs(self.backbone)
        return None if pre is None else Cell('finetune', self.backbone, 'direct', 'direct', self.epochs, self.seed,
                                             pretrain_epochs=pre)


@dataclass(frozen=True)
class ExtensionCell:
    """A run of the curve's extension: planned, it runs once the curve's longest planned length
    shows both arms still climbing (a decision stored like a calibration)."""
    run: Union[Cell, EqualComputeCell]
    needs_calibration: ClassVar[bool] = True

    @property
    def backbone(self) -> str:
        return self.run.backbone

    @property
    def key(self) -> str:
        return self.run.key

    def resolve(self, calibrated: Calibrated) -> Optional[Cell]:
        return self.run.resolve(calibrated) if calibrated.extension_due(self.backbone) else None


PlannedRun = Union[Cell, EqualComputeCell, DirectCell, ExtensionCell]


@dataclass(frozen=True)
class Step:
    """A planned run and the part of the study it belongs to."""
    part: str
    run: PlannedRun
