"""The study config parsed once into a typed plan, and the runs it asks for in running order.

A study config (``configs/reproduce/*.py``) names the data, sample stores, backbones (a pre-training
config and one detector config per initialisation), pre-training variants, the lr steps, the parts
(``curve``, ``init`` and the ablations) and the launcher; ``quick`` replaces the data, seeds and
lengths with tiny ones and fixes the equal-compute epochs.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.config import Config

from mmjigsaw.errors import ConfigError
from .cells import Cell, EqualComputeCell, Step

PARTS = ('curve', 'init', 'heads', 'context', 'assembly')
ABLATIONS = ('heads', 'context', 'assembly')
INIT_LABELS = {'montage': 'Montage pre-trained', 'imagenet': 'ImageNet pre-trained', 'scratch': 'random init',
               'scratch-equal': 'random init, equal compute'}


@dataclass(frozen=True)
class Split:
    ann: str  # annotation file, relative to the data root
    img: str  # image folder, relative to the data root


@dataclass(frozen=True)
class DemoData:
    """The demo dataset to render when the data is missing (``make_demo_dataset``'s arguments)."""
    num_train: int
    num_val: int
    seed: int


@dataclass(frozen=True)
class DataSpec:
    root: str  # relative to the repository (or absolute)
    train: Split
    val: Split
    demo: Optional[DemoData]
    extract_workers: int


@dataclass(frozen=True)
class StoreSpec:
    """A sample store extracted from the training split: ``context`` (tools/extract_samples.py
    --context) into ``folder`` under the data root."""
    context: float
    folder: str


@dataclass(frozen=True)
class BackboneSpec:
    label: str
    pretrain: str  # the Montage pre-training config
    finetune: Dict[str, str]  # initialisation ('montage', 'imagenet', 'scratch') -> detector config
    imagenet: Optional[str] = None  # torchvision architecture of the ImageNet weights


@dataclass(frozen=True)
class VariantSpec:
    """A pre-training variant: a config, config options and/or a store on top of the backbone's."""
    label: str
    pretrain: Optional[str] = None
    options: Dict = field(default_factory=dict)
    store: str = 'context'


@dataclass(frozen=True)
class LauncherSpec:
    """``python`` (tools/train.py, compute in CPU seconds) or ``dist`` (tools/dist_train.sh on ``gpus``
    GPUs, compute in GPU seconds: wall x GPUs)."""
    type: str
    gpus: int = 1

    @property
    def world_size(self) -> int:
        return self.gpus if self.type == 'dist' else 1

    @property
    def unit(self) -> str:
        return 'GPU s' if self.type == 'dist' else 'CPU s'

    def compute(self, rec: Dict) -> float:
        """A run's compute in :attr:`unit`."""
        return rec['seconds'] * self.world_size if self.type == 'dist' else rec['cpu_seconds']


@dataclass(frozen=True)
class CurvePart:
    backbone: str
    lengths: Tuple[int, ...]  # fine-tuning lengths, shortest first
    seeds: Tuple[int, ...]


@dataclass(frozen=True)
class InitPart:
    backbones: Tuple[str, ...]
    length: int
    seeds: Tuple[int, ...]


@dataclass(frozen=True)
class AblationPart:
    backbone: str
    variants: Tuple[str, ...]
    length: int
    seeds: Tuple[int, ...]


Part = Union[CurvePart, InitPart, AblationPart]


@dataclass(frozen=True)
class StudyPlan:
    """Everything a study config says, typed; :meth:`steps` lists its runs in running order.

    Attributes:
        path: the study config, relative to the repository.
        pretrain_options, finetune_options: config options added to every run (``--quick``'s).
        fixed_extra_epochs: E of every equal-compute run when fixed (``--quick``), else None: measured.
    """
    path: str
    data: DataSpec
    stores: Dict[str, StoreSpec]
    backbones: Dict[str, BackboneSpec]
    variants: Dict[str, VariantSpec]
    lr_steps: Tuple[float, ...]
    parts: Dict[str, Part]
    launcher: LauncherSpec
    pretrain_options: Dict = field(default_factory=dict)
    finetune_options: Dict = field(default_factory=dict)
    fixed_extra_epochs: Optional[int] = None

    def steps(self, only: Sequence[str]) -> List[Step]:
        """The runs of the parts in ``only``, in running order: the curve's shortest length, then the
        initialisation rows, then the curve's longer lengths, then the ablations; seed by seed within
        each, so a study cut short holds the central comparisons first."""
        curve = []
        if 'curve' in only:
            part = self.parts['curve']
            for epochs in part.lengths:
                curve.append([Step('curve', run) for seed in part.seeds for run in (
                    Cell('finetune', part.backbone, 'erf', 'montage', epochs, seed),
                    Cell('finetune', part.backbone, '', 'scratch', epochs, seed),
                    EqualComputeCell(part.backbone, epochs, seed, part.lengths[0]))])
        steps = curve[0] if curve else []
        if 'init' in only:
            part = self.parts['init']
            for seed in part.seeds:
                for backbone in part.backbones:
                    steps += [Step('init', Cell('finetune', backbone, 'erf' if init == 'montage' else '', init,
                                                part.length, seed))
                              for init in self.backbones[backbone].finetune]
                    steps.append(Step('init', EqualComputeCell(backbone, part.length, seed, part.length)))
        steps += [step for length in curve[1:] for step in length]
        for name in ABLATIONS:
            if name in only:
                part = self.parts[name]
                steps += [Step(name, Cell('finetune', part.backbone, variant, 'montage', part.length, seed))
                          for seed in part.seeds for variant in part.variants]
        return steps


def parse_only(only: str) -> List[str]:
    """``--only curve,init`` as a list of parts; an unknown part is refused with the known ones."""
    parts = [p.strip() for p in only.split(',') if p.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        raise ConfigError(f'--only {only}: unknown parts {unknown}; choose from {", ".join(PARTS)}.')
    return parts


def _data(cfg: Dict) -> DataSpec:
    return DataSpec(cfg['root'], Split(**cfg['train']), Split(**cfg['val']),
                    DemoData(**cfg['demo']) if cfg.get('demo') else None, cfg['extract_workers'])


def _parts(cfg: Dict, quick: Optional[Dict]) -> Dict[str, Part]:
    """The parts the config defines; ``quick`` replaces their seeds, lengths and length."""
    q = quick or {}
    parts = {}
    for name, spec in cfg.items():
        seeds = tuple(q.get('seeds', spec['seeds']))
        if name == 'curve':
            parts[name] = CurvePart(spec['backbone'], tuple(sorted(q.get('lengths', spec['lengths']))), seeds)
        elif name == 'init':
            parts[name] = InitPart(tuple(spec['backbones']), q.get('length', spec['length']), seeds)
        elif name in ABLATIONS:
            parts[name] = AblationPart(spec['backbone'], tuple(spec['variants']), q.get('length', spec['length']),
                                       seeds)
        else:
            raise ConfigError(f'study part {name!r}: unknown; the parts are {", ".join(PARTS)}.')
    return parts


def load_study(path: str, quick: bool = False, root: str = '.') -> StudyPlan:
    """Parse the study config ``path`` (``quick``: its tiny version); ``root`` is the repository,
    against which the config names its configs and data."""
    cfg = Config.fromfile(path).to_dict()
    q = cfg['quick'] if quick else None
    return StudyPlan(
        path=osp.relpath(osp.abspath(path), osp.abspath(root)),
        data=_data(q['data'] if quick else cfg['data']),
        stores={name: StoreSpec(spec['context'], f'store_train_{name}') for name, spec in cfg['stores'].items()},
        backbones={name: BackboneSpec(**spec) for name, spec in cfg['backbones'].items()},
        variants={name: VariantSpec(**spec) for name, spec in cfg['variants'].items()},
        lr_steps=tuple(cfg['lr_steps']),
        parts=_parts(cfg['parts'], q),
        launcher=LauncherSpec(**cfg['launcher']),
        pretrain_options=dict(q['pretrain_options']) if quick else {},
        finetune_options=dict(q['finetune_options']) if quick else {},
        fixed_extra_epochs=q['extra_epochs'] if quick else None)
