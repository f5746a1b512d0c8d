"""Reading what a run logged: mmengine's JSON scalar logs (``<work_dir>/<timestamp>/vis_data/scalars.json``)."""
import glob
import json
import math
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

from mmjigsaw.errors import DataError


def read_records(path: str) -> List[Dict]:
    """The records of one JSON log, one JSON object per line (blank lines skipped)."""
    records = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                raise DataError(f'{path}:{number}: not a JSON line; pass mmengine\'s vis_data/scalars.json '
                                'or <timestamp>.json.') from None
    return records


def scalar_logs(work_dir: str) -> List[str]:
    """Every ``*/vis_data/scalars.json`` under ``work_dir``, oldest run first (timestamps sort)."""
    return sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))


def resolve_log(path: str) -> str:
    """A JSON log file, or the newest ``*/vis_data/scalars.json`` under a work dir."""
    if osp.isdir(path):
        found = scalar_logs(path)
        if not found:
            raise DataError(f'{path}: no <timestamp>/vis_data/scalars.json under this work dir.')
        return found[-1]
    if not osp.isfile(path):
        raise DataError(f'{path}: log file not found.')
    return path


def logged_scalars(work_dir: str) -> List[Dict]:
    """Every record logged under ``work_dir``, oldest run first."""
    return [record for path in scalar_logs(work_dir) for record in read_records(path)]


def last_logged(work_dir: str, key: str) -> float:
    """The last value of ``key`` (e.g. ``'coco/bbox_mAP'``) logged under ``work_dir``."""
    values = [r[key] for r in logged_scalars(work_dir) if key in r]
    if not values:
        raise DataError(f'no {key} logged under {work_dir}')
    return values[-1]


def first_nan_loss(work_dir: str) -> Optional[str]:
    """Where the training loss logged under ``work_dir`` first went NaN ('epoch E, iteration I overall,
    lr X': mmengine counts iterations across epochs; what the record lacks is left out), None if it never did."""
    for record in logged_scalars(work_dir):
        if isinstance(record.get('loss'), float) and math.isnan(record['loss']):
            where = [f'{name} {record[key]}{unit}' for name, key, unit in
                     (('epoch', 'epoch', ''), ('iteration', 'iter', ' overall')) if key in record]
            where += [f"lr {record['lr']:.3g}"] if isinstance(record.get('lr'), (int, float)) else []
            return ', '.join(where) or 'a logged iteration'
    return None


def training_seconds(work_dir: str, iterations: int) -> float:
    """Seconds spent in ``iterations`` training iterations (data wait included; start-up and
    evaluation not): the mean of the logged iteration times times ``iterations``."""
    times = [r['time'] for r in logged_scalars(work_dir) if 'time' in r and 'loss' in r]
    if not times:
        raise DataError(f'no training iteration times logged under {work_dir}')
    return sum(times) / len(times) * iterations


@dataclass
class RunLog:
    """The scalars of one run: training records (they carry ``iter``) and evaluation records."""
    name: str
    train: List[Dict] = field(default_factory=list)
    evaluation: List[Dict] = field(default_factory=list)

    @property
    def by_epoch(self) -> bool:
        return any('epoch' in r for r in self.train)

    def keys(self) -> List[str]:
        seen = dict.fromkeys(k for r in self.train + self.evaluation for k in r)
        return [k for k in seen if k not in ('iter', 'epoch', 'step')]

    def curve(self, key: str) -> Tuple[List[float], List[float], str]:
        """(x, y, x label) of ``key``: from the training records if they hold it, else the evaluation ones."""
        if any(key in r for r in self.train):
            points = [(r.get('step', r['iter']), r[key]) for r in self.train if key in r]
            return [p[0] for p in points], [p[1] for p in points], 'iteration'
        points = [(r['step'], r[key]) for r in self.evaluation if key in r]
        return [p[0] for p in points], [p[1] for p in points], 'epoch' if self.by_epoch else 'iteration'


def run_name(path: str) -> str:
    """The work dir's name for ``<work_dir>/<timestamp>/vis_data/*.json``, else the file's stem."""
    parts = osp.abspath(path).split(os.sep)
    if len(parts) >= 4 and parts[-2] == 'vis_data':
        return parts[-4]
    return osp.splitext(parts[-1])[0]


def load_json_log(path: str, name: Optional[str] = None) -> RunLog:
    """One mmengine JSON log as a :class:`RunLog` named ``name`` (default: :func:`run_name`)."""
    log = RunLog(name or run_name(path))
    for record in read_records(path):
        (log.train if 'iter' in record else log.evaluation).append(record)
    if not log.train and not log.evaluation:
        raise DataError(f'{path}: no records.')
    return log
