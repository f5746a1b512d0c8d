"""The ERF pictures from plain arrays: colours, blending, panel layout, the evolution grid."""
import numpy as np
import pytest

from mmjigsaw.visualization import draw_erf_evolution, draw_erf_grid, erf_heatmap, region_centre_positions
from mmjigsaw.visualization.montage import REGION_COLOURS

JET_LOW, JET_HIGH = (0, 0, 128), (128, 0, 0)  # OpenCV's 'jet' at 0 (dark blue) and at 255 (dark red), RGB
REGIONS = np.array([[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]])
#: the 224 canvas cut at 64 on the 7 x 7 grid at stride 32: which region each feature cell is in
CELL_REGIONS = np.array([[0, 0, 1, 1, 1, 1, 1]] * 2 + [[2, 2, 3, 3, 3, 3, 3]] * 5)


def _peak(h, w, y, x, value=1.0):
    erf = np.zeros((h, w), np.float32)
    erf[y, x] = value
    return erf


class TestErfHeatmap:

    def test_peak_dark_red_and_zero_dark_blue(self):
        heat = erf_heatmap(_peak(8, 8, 2, 5, value=3e-7))  # scaled to its maximum: any scale gives the same
        assert heat.shape == (8, 8, 3) and heat.dtype == np.uint8
        assert tuple(heat[2, 5]) == JET_HIGH
        assert tuple(heat[0, 0]) == JET_LOW and (heat[np.arange(8) != 2] == JET_LOW).all()

    def test_square_root_scale_by_default(self):
        erf = np.array([[0.25, 1.0]], np.float32)
        # a quarter of the maximum shows as half of it under gamma 0.5, as the half does under gamma 1
        assert (erf_heatmap(erf)[0, 0] == erf_heatmap(np.array([[0.5, 1.0]]), gamma=1.0)[0, 0]).all()
        assert not (erf_heatmap(erf)[0, 0] == erf_heatmap(erf, gamma=1.0)[0, 0]).all()

    def test_over_a_background_small_values_keep_most_of_it(self):
        background = np.full((4, 4, 3), 200, np.uint8)
        heat = erf_heatmap(_peak(4, 4, 1, 1), background)
        assert tuple(heat[1, 1]) == JET_HIGH  # at the maximum: the heat colour alone
        # where the ERF is zero: 85% background, 15% dark blue
        assert tuple(heat[3, 3]) == (170, 170, int(200 * 0.85 + 128 * 0.15))

    def test_an_all_zero_map_is_uniform(self):
        assert (erf_heatmap(np.zeros((3, 3))) == JET_LOW).all()


class TestRegionCentrePositions:

    def test_the_middle_cell_of_each_region(self):
        assert region_centre_positions(CELL_REGIONS) == [(1, 0), (1, 2), (4, 1), (4, 4)]


class TestDrawErfGrid:

    def test_one_panel_per_position_with_its_cell_and_peak(self):
        erf = np.zeros((49, 224, 224), np.float32)
        erf[6 * 7 + 6, 208, 208] = 1.0  # position (6, 6): its ERF peaks at the centre of its own cell
        erf[0, 10, 10] = 1.0
        montage = np.full((224, 224, 3), 90, np.uint8)
        grid = draw_erf_grid(erf, [(0, 0), (6, 6)], (7, 7), REGIONS, montage, labels=[0, 1, 0, 1], classes=['a', 'b'])
        assert grid.shape == (4 + 448 + 4, 2 * (448 + 4) + 4, 3)  # zoom 2, a row of two panels
        panel = grid[4:4 + 448, 4 + 452:4 + 452 + 448]  # the second: position (6, 6)
        assert tuple(panel[416, 416]) == JET_HIGH  # the peak, zoomed x2
        assert tuple(panel[384, 400]) == (255, 255, 255)  # the top edge of its cell (192 px, x2), white
        assert tuple(panel[300, 300]) == (int(90 * 0.85 + 0 * 0.15), int(90 * 0.85), int(90 * 0.85 + 128 * 0.15))
        assert tuple(panel[447, 300]) == REGION_COLOURS[3]  # the bottom border of region R4

    def test_four_positions_a_row(self):
        erf = np.random.default_rng(0).random((49, 224, 224)).astype(np.float32)
        grid = draw_erf_grid(erf, [(r, 0) for r in range(5)], (7, 7), REGIONS, zoom=1)
        assert grid.shape == (2 * (224 + 4) + 4, 4 * (224 + 4) + 4, 3)
        assert (grid[4 + 228:, 4 + 228:] == 255).all()  # the second row holds one panel, white beside it


class TestDrawErfEvolution:

    def test_one_row_per_position_one_column_per_refresh(self):
        maps = np.zeros((3, 2, 112, 112), np.float32)
        for t in range(3):
            maps[t, 0, 50, 10 + 40 * t] = 1.0  # position 0's peak moves right, refresh by refresh
            maps[t, 1, 100, 100] = 1.0
        picture = draw_erf_evolution(maps, [0, 50, 100], [(1, 0), (4, 4)], (7, 7), REGIONS, (224, 224))
        header, label, gap = 18, 56, 4
        assert picture.shape == (header + 2 * (112 + gap), label + 3 * (112 + gap), 3)
        for t in range(3):
            x = label + t * (112 + gap)
            assert tuple(picture[header + 50, x + 10 + 40 * t]) == JET_HIGH
            assert tuple(picture[header + 116 + 100, x + 100]) == JET_HIGH
        assert tuple(picture[header + 50, label + 10]) == JET_HIGH
        assert tuple(picture[header + 50, label + 2 * 116 + 10]) == JET_LOW  # not where it was at iteration 0
        assert (picture[:header, :label] == 255).all()

    def test_maps_and_labels_must_agree(self):
        with pytest.raises(ValueError, match='3 iterations and 2 positions'):
            draw_erf_evolution(np.zeros((2, 2, 8, 8)), [0, 1, 2], [(0, 0), (1, 1)], (7, 7), REGIONS, (224, 224))
