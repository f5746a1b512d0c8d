"""tools/analysis_tools/browse_dataset.py: grids of 16 montages, 4 a row, each drawn at twice its
224 px with its regions and class names; an --out that is a file is refused in one line."""
import cv2
import pytest

from helpers import DEMO_PRETRAIN_CONFIG, run_tool

TOOL = 'tools/analysis_tools/browse_dataset.py'


@pytest.mark.slow  # starts a process
def test_five_montages_make_one_grid_of_two_rows(demo_store, tmp_path):
    result = run_tool(TOOL, DEMO_PRETRAIN_CONFIG, '--out', str(tmp_path / 'browse'), '--num', '5',
                      '--cfg-options', f'train_dataloader.dataset.store={demo_store}')
    assert result.returncode == 0, result.stderr[-2000:]
    (grid,) = sorted((tmp_path / 'browse').iterdir())
    assert grid.name == 'montages_000.png' and f'wrote 1 grid(s) of montages: {grid}' in result.stdout
    picture = cv2.imread(str(grid))
    assert picture.shape == (2 * (448 + 4) + 4, 4 * (448 + 4) + 4, 3)  # 2 rows x 4 columns, 4 px gaps
    assert (picture[-452:, 452 + 4:] == 255).all()  # the second row holds one montage: white after it
    assert picture[4:452, 4:452].std() > 20  # a drawn montage, not a blank tile


@pytest.mark.slow  # starts a process
def test_an_out_that_is_a_file_is_refused(tmp_path):
    out = tmp_path / 'grid.png'
    out.write_text('')
    result = run_tool(TOOL, DEMO_PRETRAIN_CONFIG, '--out', str(out))
    assert result.returncode == 2
    assert result.stderr.strip() == f'error: --out {out} is a file; give a folder for the PNG grids.'
