import numpy as np
import pytest

from mmjigsaw.structures import MontageTemplate
from mmjigsaw.utils import ConfigError


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


def test_templates_off_the_stride_grid_are_refused():
    with pytest.raises(ConfigError, match='strictly inside'):
        MontageTemplate(224, 224)
    with pytest.raises(ConfigError, match='stride 32'):
        MontageTemplate(224, 48).cell_regions(32)
