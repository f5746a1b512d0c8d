"""What a study's runs gave: ``runs.json``, rewritten after every change so a rerun skips finished runs.

Its format: ``{"runs": {KEY: RECORD}, "calibration": {BACKBONE: CALIBRATION}, "commands": [COMMAND]}``;
a record holds its :class:`~.plan.Cell`'s fields, ``key``, ``code`` and what the run measured.
"""
import json
import os.path as osp
from dataclasses import asdict
from typing import Dict, List, Optional

from mmjigsaw.utils.io import atomic_write_json
from .cells import Cell


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

    def save(self) -> None:
        if self.path:
            atomic_write_json(self.data, self.path)

    def add_command(self, command: str) -> None:
        """Note the command line that is about to run a cell (once per distinct command)."""
        if command not in self.data.setdefault('commands', []):
            self.data['commands'].append(command)

    def set_calibration(self, backbone: str, calibration: Dict) -> None:
        self.calibration[backbone] = calibration
        self.save()

    def clear_calibration(self) -> None:
        self.calibration.clear()

    def record(self, cell: Cell, **values) -> Dict:
        """Add (or replace) the record of ``cell`` with the values it measured, and save."""
        rec = dict(asdict(cell), key=cell.key, **values)
        self.runs[cell.key] = rec
        self.save()
        return rec

    def done(self, cell: Cell) -> Optional[Dict]:
        return self.runs.get(cell.key)

    def group(self, backbone: str, source: str, epochs: int) -> List[Dict]:
        """Finished fine-tuning runs of one row: ``source`` is a variant for Montage, else the init."""
        return [r for r in self.runs.values()
                if r['kind'] == 'finetune' and r['backbone'] == backbone and r['epochs'] == epochs
                and (r['variant'] if r['init'] == 'montage' else r['init']) == source]

    def pretraining_of(self, rec: Dict) -> Optional[Dict]:
        """The record of the pre-training behind a fine-tuning record, if any."""
        return self.runs.get(rec['pretrain']) if rec.get('pretrain') else None
