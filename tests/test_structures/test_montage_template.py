import numpy as np
import pytest

from mmjigsaw.errors import ConfigError
from mmjigsaw.structures import MontageTemplate


def test_regions_of_the_papers_template():
    t = MontageTemplate(224, 64)
    assert t.regions.tolist() == [[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]]
    assert t.region_areas.tolist() == [4096, 10240, 10240, 25600]


def test_cell_regions_use_the_centre_of_each_stride_cell():
    cells = MontageTemplate(224, 64).cell_regions(32)
    expected = np.array([[0, 0, 1, 1, 1, 1, 1]] * 2 + [[2, 2, 3, 3, 3, 3, 3]] * 5)
    np.testing.assert_array_equal(cells, expected)
    assert [(cells == r).sum() for r in range(4)] == [4, 10, 10, 25]


@pytest.mark.parametrize('areas, order', [
    ([100, 900, 50, 60], [0, 3, 2, 1]),    # S, S, T, W: smaller S -> R1, W -> R2, T -> R3, larger S -> R4
    ([900, 100, 50, 60], [1, 3, 2, 0]),
    ([5, 5, 5, 5], [0, 3, 2, 1]),          # equal areas keep the given order
])
def test_region_order_follows_the_papers_rule(areas, order):
    assert MontageTemplate().region_order(areas) == order


def test_layout_constants_are_consistent():
    t = MontageTemplate()
    assert sorted(t.SAMPLE_GROUPS) == sorted(t.REGION_GROUPS)
    for group, substitutes in t.GROUP_SUBSTITUTES.items():
        assert group not in substitutes and set(substitutes) | {group} == set(t.SAMPLE_GROUPS)


@pytest.mark.parametrize('cut', [0, 112, 160, 224])
def test_a_cut_outside_the_first_half_of_the_canvas_is_refused(cut):
    # at cut >= canvas / 2, R2 is no longer wide, R3 no longer tall, R1 no longer the smaller square
    with pytest.raises(ConfigError, match='half the canvas'):
        MontageTemplate(224, cut)


@pytest.mark.parametrize('canvas, cut', [(224, 64), (224, 96), (224, 111), (128, 32)])
def test_regions_have_the_shapes_of_their_groups(canvas, cut):
    t = MontageTemplate(canvas, cut)
    width, height = (t.regions[:, 2] - t.regions[:, 0]), (t.regions[:, 3] - t.regions[:, 1])
    for region, group in enumerate(t.REGION_GROUPS):
        assert {'S': width[region] == height[region], 'W': width[region] > height[region],
                'T': width[region] < height[region]}[group]
    assert t.region_areas[0] < t.region_areas[3]  # the smaller S goes to R1


def test_templates_off_the_stride_grid_are_refused():
    with pytest.raises(ConfigError, match='stride 32'):
        MontageTemplate(224, 48).cell_regions(32)
