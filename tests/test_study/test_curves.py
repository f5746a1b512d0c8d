"""mmjigsaw.study.curves through tools/analysis_tools/analyze_logs.py plot_curve, on the JSON log of a real
(short) pre-training."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner

from helpers import run_tool, tiny_pretrain_cfg

TOOL = 'tools/analysis_tools/analyze_logs.py'
C0, C1 = (31, 119, 180), (255, 127, 14)  # matplotlib's first two line colours (RGB)


@pytest.fixture(scope='module')
def pretrain_log(demo_store, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('curves_run')
    Runner.from_cfg(tiny_pretrain_cfg(demo_store, work_dir, max_iters=4)).train()
    (log,) = glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json'))
    return work_dir, log


def _panels(path, rows, cols):
    """The PNG as RGB, cut into its rows x cols panels (5 x 3.5 inches at 100 dpi each)."""
    img = cv2.imread(str(path))[..., ::-1]
    assert img.shape == (350 * rows, 500 * cols, 3)
    return [img[r * 350:(r + 1) * 350, c * 500:(c + 1) * 500] for r in range(rows) for c in range(cols)]


def _has(panel, colour):
    return bool((np.abs(panel.astype(int) - colour).sum(-1) < 30).sum() > 50)


@pytest.mark.slow
class TestPlotCurve:

    def test_one_panel_per_key_with_its_curve(self, pretrain_log, tmp_path):
        _, log = pretrain_log
        out = tmp_path / 'curves.png'
        result = run_tool(TOOL, 'plot_curve', log, '--keys', 'loss', 'erf_own_share', '--out', str(out))
        assert result.returncode == 0, result.stderr
        assert 'loss (4 points), erf_own_share (4 points)' in result.stdout and f'wrote {out}' in result.stdout
        assert all(_has(panel, C0) for panel in _panels(out, 1, 2))

    def test_default_keys_from_a_work_dir(self, pretrain_log, tmp_path):
        work_dir, _ = pretrain_log
        out = tmp_path / 'curves.png'
        result = run_tool(TOOL, 'plot_curve', str(work_dir), '--out', str(out))
        assert result.returncode == 0, result.stderr
        assert 'plotted loss (4 points), acc_region (4 points), lr (4 points), erf_own_weight (4 points), ' \
            'erf_own_share (4 points)' in result.stdout
        panels = _panels(out, 2, 3)
        assert all(_has(p, C0) for p in panels[:5]) and not _has(panels[5], C0)  # the sixth is empty

    def test_two_logs_two_lines(self, pretrain_log, tmp_path):
        _, log = pretrain_log
        short = tmp_path / 'short.json'
        with open(log) as f:
            short.write_text(''.join(f.readlines()[:2]))
        out = tmp_path / 'curves.png'
        result = run_tool(TOOL, 'plot_curve', log, str(short), '--keys', 'lr', '--legend', 'full', 'first two',
                          '--out', str(out))
        assert result.returncode == 0, result.stderr
        assert 'lr (6 points)' in result.stdout
        (panel,) = _panels(out, 1, 1)
        assert _has(panel, C0) and _has(panel, C1)

    def test_unknown_key_names_the_available_ones(self, pretrain_log, tmp_path):
        _, log = pretrain_log
        result = run_tool(TOOL, 'plot_curve', log, '--keys', 'bbox_mAP', '--out', str(tmp_path / 'x.png'))
        assert result.returncode == 2
        assert "key 'bbox_mAP' is in none of the logs" in result.stderr and 'erf_own_weight' in result.stderr
        assert not (tmp_path / 'x.png').exists()
