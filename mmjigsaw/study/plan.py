"""The study config parsed once into a typed plan, and the runs it asks for in running order.

A study config (``configs/reproduce/*.py``) names the data, sample stores, backbones (a pre-training
config and one detector config per initialisation), pre-training variants, the lr steps, the parts
(the compute ``curve``, the ablations, the two controls and the initialisation rows), the analysis
fixed before the runs and the launcher; ``quick`` replaces the data, seeds and lengths with tiny
ones and fixes what the calibrations would measure.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple, Union

from mmengine.config import Config

from mmjigsaw.errors import ConfigError
from .cells import Cell, DirectCell, EqualComputeCell, ExtensionCell, Step

#: The parts in running order: the curve, the ablations, the controls, the initialisation rows.
PARTS = ('curve', 'heads', 'context', 'assembly', 'store', 'unfrozen', 'direct', 'init')
ABLATIONS = ('heads', 'context', 'assembly', 'store')
CONTROLS = ('unfrozen', 'direct')  # unfrozen first: its Montage pre-trainings give direct's P
INIT_LABELS = {'montage': 'Montage pre-trained', 'imagenet': 'ImageNet pre-trained', 'scratch': 'random init',
               'scratch-equal': 'random init, equal compute',
               'montage-unfrozen': 'Montage pre-trained, fine-tuned unfrozen (BN in train mode)',
               'direct': 'direct detection pre-training, equal compute'}


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
    """A sample store extracted from the training split: ``context`` and ``format`` (tools/extract_samples.py
    --context, --format: 'jpeg' q90 or 'raw') into ``folder`` under the data root."""
    context: float
    folder: str
    format: str = 'jpeg'


@dataclass(frozen=True)
class BackboneSpec:
    label: str
    pretrain: str  # the Montage pre-training config
    finetune: Dict[str, str]  # initialisation ('montage', 'imagenet', 'scratch', ...) -> detector config
    imagenet: Optional[str] = None  # torchvision architecture of the ImageNet weights
    direct_pretrain: Optional[str] = None  # the direct detection pre-training config (low resolution)


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
    """Montage + L against random init at equal compute, one complete schedule per length L; random
    init at the same schedule at ``same_schedule_length`` only (its seeds ``same_schedule_seeds``),
    which is also where equal compute is calibrated. ``extension``: a longer length run when both
    arms gained more than ``extension_threshold`` box AP between the two longest lengths."""
    backbone: str
    lengths: Tuple[int, ...]  # fine-tuning lengths, shortest first
    seeds: Tuple[int, ...]
    same_schedule_length: int
    same_schedule_seeds: Tuple[int, ...]
    extension: Optional[int] = None
    extension_threshold: float = 0.01


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


@dataclass(frozen=True)
class ControlPart:
    """A control fine-tuned from ``init`` ('direct': direct detection pre-training whose length a
    probe of ``probe_epochs`` calibrates; 'montage-unfrozen': the method's backbone, unfrozen)."""
    backbone: str
    init: str
    length: int
    seeds: Tuple[int, ...]
    probe_epochs: int = 0


Part = Union[CurvePart, InitPart, AblationPart, ControlPart]


@dataclass(frozen=True)
class AnalysisSpec:
    """The analysis fixed before the runs (docs/reproduction.md's plan section).

    Attributes:
        alpha: two-sided level of the paired t-test over seeds.
        smallest_effect: the smallest box AP difference worth reporting.
        target_power: the power the seeds aim at for :attr:`smallest_effect`.
        min_seeds: seeds of every row at least.
        max_seeds: estimate name -> the seeds the budget allows.
        bootstrap_samples, bootstrap_seed: the paired bootstrap over val images (central comparisons).
        first_study: the first study's runs.json, whose seed SDs feed the power estimate.
        power_from: estimate name ('curve', 'ablations', 'controls', 'init') -> pairs of first-study
            row key prefixes (``finetune_r18_erf_8e``) whose per-seed differences estimate its SD.
        choices: why the plan is what it is, one paragraph each (the report's "Choices").
    """
    alpha: float
    smallest_effect: float
    target_power: float
    min_seeds: int
    max_seeds: Dict[str, int]
    bootstrap_samples: int
    bootstrap_seed: int
    first_study: str
    power_from: Dict[str, Tuple[Tuple[str, str], ...]]
    choices: Tuple[str, ...] = ()


def estimate_of(part: str) -> str:
    """The power estimate a part's seeds follow."""
    return 'ablations' if part in ABLATIONS else 'controls' if part in CONTROLS else part


@dataclass(frozen=True)
class StudyPlan:
    """Everything a study config says, typed; :meth:`steps` lists its runs in running order.

    Attributes:
        path: the study config, relative to the repository.
        pretrain_options, finetune_options: config options added to every run (``--quick``'s).
        fixed_extra_epochs: E of every equal-compute run when fixed (``--quick``), else None: measured.
        fixed_direct_epochs: D of every direct pre-training when fixed (``--quick``), else None: measured.
        fixed_extension: whether the curve's extension runs, when fixed (``--quick``), else None: decided.
    """
    path: str
    data: DataSpec
    stores: Dict[str, StoreSpec]
    backbones: Dict[str, BackboneSpec]
    variants: Dict[str, VariantSpec]
    lr_steps: Tuple[float, ...]
    parts: Dict[str, Part]
    launcher: LauncherSpec
    analysis: Optional[AnalysisSpec] = None
    pretrain_options: Dict = field(default_factory=dict)
    finetune_options: Dict = field(default_factory=dict)
    fixed_extra_epochs: Optional[int] = None
    fixed_direct_epochs: Optional[int] = None
    fixed_extension: Optional[bool] = None

    def steps(self, only: Sequence[str]) -> List[Step]:
        """The runs of the parts in ``only`` in running order (:data:`PARTS`; the curve's extension
        last, as it runs only when decided), seed by seed within each, so a study cut short holds
        the central comparisons first."""
        steps = []
        for name in PARTS:
            if name in only and name in self.parts:
                runs = self._curve_runs() if name == 'curve' else self._init_runs() if name == 'init' \
                    else self._runs_of(name)
                steps += [Step(name, run) for run in runs]
        curve = self.parts.get('curve')
        if 'curve' in only and curve and curve.extension:
            steps += [Step('curve', ExtensionCell(run)) for seed in curve.seeds for run in (
                Cell('finetune', curve.backbone, 'erf', 'montage', curve.extension, seed),
                EqualComputeCell(curve.backbone, curve.extension, seed, curve.same_schedule_length))]
        return steps

    def _curve_runs(self) -> list:
        """The calibrating length first (Montage, random init, equal compute, seed by seed), then
        the other lengths, shortest first."""
        part, runs = self.parts['curve'], []
        b, calibrating = part.backbone, part.same_schedule_length
        for epochs in (calibrating, *[L for L in part.lengths if L != calibrating]):
            for seed in part.seeds:
                runs.append(Cell('finetune', b, 'erf', 'montage', epochs, seed))
                if epochs == calibrating and seed in part.same_schedule_seeds:
                    runs.append(Cell('finetune', b, '', 'scratch', epochs, seed))
                runs.append(EqualComputeCell(b, epochs, seed, calibrating))
        return runs

    def _init_runs(self) -> list:
        part, runs = self.parts['init'], []
        for seed in part.seeds:
            for b in part.backbones:
                runs += [Cell('finetune', b, 'erf' if init == 'montage' else '', init, part.length, seed)
                         for init in ('montage', 'imagenet', 'scratch') if init in self.backbones[b].finetune]
                runs.append(EqualComputeCell(b, part.length, seed, part.length))
        return runs

    def _runs_of(self, name: str) -> list:
        part = self.parts[name]
        if isinstance(part, AblationPart):
            return [Cell('finetune', part.backbone, variant, 'montage', part.length, seed)
                    for seed in part.seeds for variant in part.variants]
        if part.init == 'direct':
            probe = Cell('pretrain', part.backbone, 'direct', '', part.probe_epochs, part.seeds[0])
            return [probe] + [DirectCell(part.backbone, part.length, seed, probe) for seed in part.seeds]
        return [Cell('finetune', part.backbone, 'erf', part.init, part.length, seed) for seed in part.seeds]


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


def _part(name: str, spec: Dict) -> Part:
    seeds = tuple(spec['seeds'])
    if name == 'curve':
        return CurvePart(spec['backbone'], tuple(sorted(spec['lengths'])), seeds, spec['same_schedule_length'],
                         tuple(spec.get('same_schedule_seeds', seeds)), spec.get('extension'),
                         spec.get('extension_threshold', 0.01))
    if name == 'init':
        return InitPart(tuple(spec['backbones']), spec['length'], seeds)
    if name in ABLATIONS:
        return AblationPart(spec['backbone'], tuple(spec['variants']), spec['length'], seeds)
    if name in CONTROLS:
        return ControlPart(spec['backbone'], spec['init'], spec['length'], seeds, spec.get('probe_epochs', 0))
    raise ConfigError(f'study part {name!r}: unknown; the parts are {", ".join(PARTS)}.')


def _parts(cfg: Dict, quick: Optional[Dict]) -> Dict[str, Part]:
    """The parts the config defines; ``quick`` sets every part's ``seeds`` and ``length`` (where it
    has one) and merges its own ``parts`` over them."""
    parts = {}
    for name, spec in cfg.items():
        spec = dict(spec)
        if quick:
            spec['seeds'] = quick['seeds']
            spec.pop('same_schedule_seeds', None)
            if 'length' in spec:
                spec['length'] = quick['length']
            spec.update(quick.get('parts', {}).get(name, {}))
        parts[name] = _part(name, spec)
    return parts


def _analysis(cfg: Optional[Dict]) -> Optional[AnalysisSpec]:
    if not cfg:
        return None
    return AnalysisSpec(cfg['alpha'], cfg['smallest_effect'], cfg['target_power'], cfg['min_seeds'],
                        dict(cfg['max_seeds']), cfg['bootstrap']['samples'], cfg['bootstrap']['seed'],
                        cfg['first_study'],
                        {name: tuple(tuple(pair) for pair in pairs) for name, pairs in cfg['power_from'].items()},
                        tuple(cfg.get('choices', ())))


def load_study(path: str, quick: bool = False, root: str = '.') -> StudyPlan:
    """Parse the study config ``path`` (``quick``: its tiny version); ``root`` is the repository,
    against which the config names its configs and data."""
    cfg = Config.fromfile(path).to_dict()
    q = cfg['quick'] if quick else {}
    return StudyPlan(
        path=osp.relpath(osp.abspath(path), osp.abspath(root)),
        data=_data(q['data'] if quick else cfg['data']),
        stores={name: StoreSpec(spec['context'], f'store_train_{name}', spec.get('format', 'jpeg'))
                for name, spec in cfg['stores'].items()},
        backbones={name: BackboneSpec(**spec) for name, spec in cfg['backbones'].items()},
        variants={name: VariantSpec(**spec) for name, spec in cfg['variants'].items()},
        lr_steps=tuple(cfg['lr_steps']),
        parts=_parts(cfg['parts'], q or None),
        launcher=LauncherSpec(**cfg['launcher']),
        analysis=_analysis(cfg.get('analysis')),
        pretrain_options=dict(q.get('pretrain_options', {})),
        finetune_options=dict(q.get('finetune_options', {})),
        fixed_extra_epochs=q.get('extra_epochs'), fixed_direct_epochs=q.get('direct_epochs'),
        fixed_extension=q.get('extension'))
