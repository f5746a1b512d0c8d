"""What a study's runs gave: ``runs.json``, rewritten after every change so a rerun skips finished runs.

Its format: ``{"code_hash": HASH, "runs": {KEY: RECORD}, "calibration": {NAME: CALIBRATION},
"commands": [COMMAND], "diverged": {KEY: DIVERGENCE}}``; a record holds its :class:`~.plan.Cell`'s fields, ``key``, the
``code_hash`` it ran at, the machine and its finish time (UTC) and what the run measured (a
pre-training: its ERF scalars :data:`ERF_SCALARS` at the first and last refresh). A run done again
because its output was gone keeps its first measurement; the later ones are listed under ``again``.
``code_hash`` at the top is the study's code version (:func:`~.provenance.code_hash` when it was
last started): a record of another hash is not done (it runs again) and the report does not compare
it. A fine-tuning whose training loss went NaN has no record but a divergence (its cell's fields, where
and when, the reason and its log): at its code hash it is not run again (training is deterministic on one
machine). Each evaluated run's per-image matches are kept beside runs.json in ``matches/<key>.npz``.
"""
import json
import os.path as osp
from dataclasses import asdict
from typing import Dict, List, Optional

from mmjigsaw.utils.io import atomic_write_json
from .cells import Cell

#: The ERF hook's scalars a pre-training's record holds, each as ``{'first': x, 'last': y}`` (None without
#: ERF weights).
ERF_SCALARS = ('erf_own_weight', 'erf_own_share')


class Results:
    """The records of one study, kept in ``path`` (None: in memory only, as the demo does)."""

    def __init__(self, path: Optional[str] = None):
        self.path = path
        data = dict(runs={}, calibration={})
        if path and osp.isfile(path):
            with open(path) as f:
                data = json.load(f)
        self.data = data

    @property
    def runs(self) -> Dict[str, Dict]:
        return self.data['runs']

    @property
    def calibration(self) -> Dict[str, Dict]:
        return self.data['calibration']

    @property
    def commands(self) -> List[str]:
        return self.data.get('commands', [])

    @property
    def code_hash(self) -> Optional[str]:
        """The study's code version; None before a study set it (every record then counts)."""
        return self.data.get('code_hash')

    def set_code_hash(self, code_hash: str) -> List[str]:
        """Make ``code_hash`` the study's code version; on a change the calibrations (measured on the
        other code) go. Returns the keys of the records of another hash, which will run again."""
        if code_hash != self.code_hash:
            self.data['code_hash'] = code_hash
            self.calibration.clear()
            self.save()
        return sorted(self.stale)

    def current(self, rec: Dict) -> bool:
        """Whether ``rec`` ran at the study's code version (always, before one is set)."""
        return self.code_hash is None or rec.get('code_hash') == self.code_hash

    @property
    def comparable(self) -> Dict[str, Dict]:
        """The records of the study's code version: the only ones the report compares."""
        return {key: rec for key, rec in self.runs.items() if self.current(rec)}

    @property
    def stale(self) -> Dict[str, Dict]:
        """The records of other code versions, listed by the report as not compared."""
        return {key: rec for key, rec in self.runs.items() if not self.current(rec)}

    @property
    def diverged(self) -> Dict[str, Dict]:
        """The divergences at the study's code version, by key."""
        return {key: rec for key, rec in self.data.get('diverged', {}).items() if self.current(rec)}

    @property
    def measurements(self) -> List[Dict]:
        """Every measurement of the comparable runs: each record as first measured, then each of its runs
        again (under ``again``) as the record with that run's values (when, where, its cost)."""
        return [measured for rec in self.comparable.values()
                for measured in (rec, *(dict(rec, **again) for again in rec.get('again', [])))]

    @property
    def wall_hours(self) -> float:
        """Wall hours of the comparable runs, each run's measurements under ``again`` included."""
        return sum(measured['seconds'] for measured in self.measurements) / 3600

    def matches_path(self, key: str) -> Optional[str]:
        """Where the per-image matches of run ``key`` are kept (None in memory)."""
        return osp.join(osp.dirname(self.path), 'matches', f'{key}.npz') if self.path else None

    def save(self) -> None:
        if self.path:
            atomic_write_json(self.data, self.path)

    def add_command(self, command: str) -> None:
        """Note the command line that is about to run a cell (once per distinct command)."""
        if command not in self.data.setdefault('commands', []):
            self.data['commands'].append(command)

    def set_calibration(self, name: str, calibration: Dict) -> None:
        self.calibration[name] = calibration
        self.save()

    def clear_calibration(self) -> None:
        self.calibration.clear()

    def record(self, cell: Cell, **values) -> Dict:
        """Add (or replace) the record of ``cell`` with the values it measured, and save."""
        rec = dict(asdict(cell), key=cell.key, **values)
        self.runs[cell.key] = rec
        self.save()
        return rec

    def record_again(self, cell: Cell, **values) -> Dict:
        """Add what ``cell`` measured when it ran again (its output was gone) to the ``again`` list of its
        record, which keeps its first measurement, and save."""
        rec = self.runs[cell.key]
        rec.setdefault('again', []).append(values)
        self.save()
        return rec

    def record_diverged(self, cell: Cell, **values) -> Dict:
        """Record that ``cell``'s training diverged (``values``: where and when, the reason), and save."""
        rec = dict(asdict(cell), **values)
        self.data.setdefault('diverged', {})[cell.key] = rec
        self.save()
        return rec

    def done(self, cell: Cell) -> Optional[Dict]:
        """The record of ``cell`` if it ran at the study's code version, else None (it runs again)."""
        rec = self.runs.get(cell.key)
        return rec if rec is not None and self.current(rec) else None

    def group(self, backbone: str, source: str, epochs: int) -> List[Dict]:
        """Finished fine-tuning runs of one row at the study's code version: ``source`` is a variant
        for Montage, else the initialisation."""
        return sorted((r for r in self.comparable.values()
                       if r['kind'] == 'finetune' and r['backbone'] == backbone and r['epochs'] == epochs
                       and Cell.of(r).source == source),
                      key=lambda r: r['seed'])

    def pretraining_of(self, rec: Dict) -> Optional[Dict]:
        """The pre-training behind a fine-tuning record, if any, as the measurement its backbone came from:
        the record's first, or its ``again`` entry the fine-tuning names with ``pretrain_again`` (1-based;
        0 or absent: the first)."""
        pre = self.runs.get(rec['pretrain']) if rec.get('pretrain') else None
        again = rec.get('pretrain_again') or 0
        return dict(pre, **pre['again'][again - 1]) if pre and again else pre
