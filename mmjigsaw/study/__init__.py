"""The reproduction study and the demo: a typed plan, the runner of its cells, statistics and the report.

``plan`` parses a study config into the runs of ``cells``; ``runner`` runs one cell of the chain
(data, store, pre-training, export, fine-tuning, box AP) and ``execution`` a plan's steps within a
budget, ``calibration`` the equal-compute step; ``results`` keeps runs.json; ``stats``, ``claims``,
``plots`` and ``report`` write the report; ``demo`` is ``make demo``; ``logs`` reads training logs,
``curves`` plots them; ``processes`` runs a tool as a child process.
"""
from .cells import Cell, EqualComputeCell, Step
from .execution import calibrate, run_steps
from .plan import PARTS, StudyPlan, load_study, parse_only
from .processes import ToolFailed, ToolRun, run_tool
from .report import write_report
from .results import Results
from .runner import CellRunner, StudyLayout

__all__ = ['PARTS', 'Cell', 'CellRunner', 'EqualComputeCell', 'Results', 'Step', 'StudyLayout', 'StudyPlan',
           'ToolFailed', 'ToolRun', 'calibrate', 'load_study', 'parse_only', 'run_steps', 'run_tool', 'write_report']
