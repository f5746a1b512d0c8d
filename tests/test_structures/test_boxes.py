import numpy as np
import pytest

from mmjigsaw.structures import aspect_group, intersection_areas, xywh_to_xyxy


@pytest.mark.parametrize('width, height, group', [
    (50, 100, 'S'), (49.99, 100, 'T'), (10, 100, 'T'),      # r = 0.5 is square; just below is tall
    (150, 100, 'S'), (150.01, 100, 'W'), (400, 100, 'W'),   # r = 1.5 is square; just above is wide
    (100, 100, 'S'), (3, 2, 'S'), (1, 3, 'T'), (4, 2, 'W'),
])
def test_aspect_groups_at_the_papers_thresholds(width, height, group):
    """docs/method.md §2: tall r < 0.5, wide r > 1.5, square otherwise (r = width / height)."""
    assert aspect_group(width, height) == group


def test_box_helpers():
    np.testing.assert_array_equal(xywh_to_xyxy([10, 20, 30, 40]), [10, 20, 40, 60])
    areas = intersection_areas(np.array([0., 0., 10., 10.]), np.array([[5, 5, 20, 20], [10, 0, 20, 10], [2, 3, 4, 6]]))
    np.testing.assert_array_equal(areas, [25, 0, 6])
