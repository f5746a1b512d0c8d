"""The reproduction study and the demo: a typed plan, the runner of its cells, statistics and the report.

``plan`` parses a study config into the runs of ``cells``; ``runner`` runs one cell of the chain
(data, store, pre-training, export, fine-tuning, box AP at full precision) and ``execution`` a plan's
steps within a budget, ``calibration`` the steps measured on finished runs (equal compute, direct
pre-training's length, the curve's extension); ``results`` keeps runs.json; ``provenance`` hashes the
code and stores a run depends on; ``power`` sizes the seeds; ``stats``, ``claims``, ``budget``,
``plots`` and ``report`` (``report_plan``, ``report_tables``) write the report; ``demo`` is
``make demo``; ``logs`` reads training logs, ``curves`` plots them; ``processes`` runs a tool as a
child process.
"""
from .cells import Cell, DirectCell, EqualComputeCell, ExtensionCell, Step
from .execution import calibrate, run_steps
from .plan import PARTS, StudyPlan, load_study, parse_only
from .processes import ToolFailed, ToolRun, run_tool
from .provenance import code_hash
from .report import write_report
from .results import Results
from .runner import CellRunner, StudyLayout

__all__ = ['PARTS', 'Cell', 'CellRunner', 'DirectCell', 'EqualComputeCell', 'ExtensionCell', 'Results', 'Step',
           'StudyLayout', 'StudyPlan', 'ToolFailed', 'ToolRun', 'calibrate', 'code_hash', 'load_study', 'parse_only',
           'run_steps', 'run_tool', 'write_report']
