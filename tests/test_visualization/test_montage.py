"""Montage pictures from plain arrays: the zoom, region borders in their colours, the grid, the PNG."""
import cv2
import numpy as np
import pytest

from mmjigsaw.visualization import draw_montage, image_grid, save_rgb_png
from mmjigsaw.visualization.montage import REGION_COLOURS

REGIONS = np.array([[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]])


class TestDrawMontage:

    def test_zoomed_with_each_region_bordered_in_its_colour(self):
        img = np.zeros((224, 224, 3), np.uint8)
        img[150, 150] = (10, 20, 30)
        out = draw_montage(img, REGIONS, [0, 1, 2, 0], ['cat', 'dog', 'cow'], zoom=2)
        assert out.shape == (448, 448, 3) and out.dtype == np.uint8
        assert (out[300:302, 300:302] == (10, 20, 30)).all()  # one pixel, nearest-neighbour x2
        assert tuple(out[60, 0]) == REGION_COLOURS[0]     # R1's left border
        assert tuple(out[60, 447]) == REGION_COLOURS[1]   # R2's right border (x 224 x2, less one)
        assert tuple(out[447, 60]) == REGION_COLOURS[2]   # R3's bottom border
        assert tuple(out[447, 300]) == REGION_COLOURS[3]  # R4's bottom border
        assert tuple(out[200, 200]) == (0, 0, 0)          # inside R4, away from borders and labels

    def test_labelled_with_region_and_class_names(self):
        img = np.zeros((224, 224, 3), np.uint8)
        one = draw_montage(img, REGIONS, [0, 0, 0, 0], ['a', 'bbbbbbbbbb'])
        other = draw_montage(img, REGIONS, [1, 0, 0, 0], ['a', 'bbbbbbbbbb'])
        changed = np.argwhere((one != other).any(-1))
        # only R1's label box differs: a longer class name, in R1's corner
        assert len(changed) and changed.min(0).tolist() >= [2, 2] and changed.max(0).tolist() < [64 * 2, 64 * 2]
        assert tuple(one[3, 3]) == REGION_COLOURS[0]  # the label box, filled with the region's colour


class TestImageGrid:

    def test_rows_of_cols_on_white(self):
        images = [np.full((2, 3, 3), v, np.uint8) for v in (10, 20, 30)]
        grid = image_grid(images, cols=2, gap=4)
        assert grid.shape == (2 * (2 + 4) + 4, 2 * (3 + 4) + 4, 3)
        assert (grid[4:6, 4:7] == 10).all() and (grid[4:6, 11:14] == 20).all() and (grid[10:12, 4:7] == 30).all()
        assert (grid[10:12, 11:14] == 255).all()  # no fourth image
        assert (grid[:4] == 255).all() and (grid[:, 7:11] == 255).all()  # gaps


class TestSaveRgbPng:

    def test_rgb_on_disk_as_image_viewers_read_it(self, tmp_path):
        img = np.zeros((2, 2, 3), np.uint8)
        img[0, 0] = (255, 0, 0)  # red
        path = str(tmp_path / 'red.png')
        save_rgb_png(path, img)
        assert tuple(cv2.imread(path)[0, 0]) == (0, 0, 255)  # OpenCV reads BGR: red is the last channel

    def test_an_unwritable_path_raises(self, tmp_path):
        with pytest.raises(OSError, match='could not write'):
            save_rgb_png(str(tmp_path / 'missing' / 'x.png'), np.zeros((2, 2, 3), np.uint8))
