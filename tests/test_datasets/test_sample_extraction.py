import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mmjigsaw.datasets.sample_extraction import enlarge_box, extract_image_samples, negative_quotas
from mmjigsaw.structures import aspect_group, intersection_areas


@st.composite
def scenes(draw):
    """An image size and 1-6 float boxes inside it."""
    w, h = draw(st.integers(40, 400)), draw(st.integers(40, 400))
    boxes = []
    for _ in range(draw(st.integers(1, 6))):
        bw = draw(st.floats(4, w * 0.6))
        bh = draw(st.floats(4, h * 0.6))
        x1 = draw(st.floats(0, w - bw))
        y1 = draw(st.floats(0, h - bh))
        boxes.append([x1, y1, x1 + bw, y1 + bh])
    return w, h, np.array(boxes), draw(st.integers(0, 2**32 - 1))


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_positive_contains_its_box_stays_inside_and_at_most_doubles(scene):
    w, h, boxes, seed = scene
    rng = np.random.default_rng(seed)
    for box in boxes:
        crop = enlarge_box(box, w, h, rng)
        assert crop.dtype == np.int64
        assert 0 <= crop[0] <= box[0] and 0 <= crop[1] <= box[1]
        assert box[2] <= crop[2] <= w and box[3] <= crop[3] <= h
        assert crop[2] - crop[0] <= 2 * (box[2] - box[0])
        assert crop[3] - crop[1] <= 2 * (box[3] - box[1])


@settings(max_examples=200, deadline=None)
@given(scenes())
def test_negatives_have_zero_iou_with_every_box_and_groups_follow_aspect(scene):
    w, h, boxes, seed = scene
    labels = np.arange(len(boxes)) % 3
    samples, _ = extract_image_samples(boxes, labels, np.zeros(len(boxes), bool), w, h, num_classes=3,
                                       rng=np.random.default_rng(seed), neg_ratio=1.0)
    for s in samples:
        x1, y1, x2, y2 = s.crop_box
        assert 0 <= x1 < x2 <= w and 0 <= y1 < y2 <= h
        assert s.group == aspect_group(x2 - x1, y2 - y1)
        if s.gt_box is None:
            assert s.label == 3
            assert intersection_areas(s.crop_box.astype(float), boxes).max() == 0
        else:
            assert s.label < 3


def test_negative_ratio_holds_in_expectation():
    rng = np.random.default_rng(0)
    positives = negatives = 0
    for _ in range(300):
        boxes = np.array([[10, 10, 40, 50], [200, 100, 230, 160], [100, 200, 150, 220]], float)
        samples, skips = extract_image_samples(boxes, np.zeros(3, int), np.zeros(3, bool), 320, 320, 1, rng)
        positives += sum(s.gt_box is not None for s in samples)
        negatives += sum(s.gt_box is None for s in samples) + skips['no_background']
    assert positives == 900
    assert abs(negatives / positives - 0.1) < 0.02


def test_negative_quotas_make_every_prefix_exact():
    quotas = negative_quotas([3, 0, 7, 1, 9, 4], 0.1)
    assert quotas.tolist() == [0, 0, 1, 0, 1, 0]
    assert negative_quotas([10] * 7, 0.1).tolist() == [1] * 7
    assert negative_quotas([5] * 7, 0.5).sum() == 17


def test_crowd_and_tiny_boxes_are_skipped_and_counted_but_avoided():
    boxes = np.array([[0, 0, 50, 50], [60, 60, 62, 90], [100, 100, 150, 150]], float)
    samples, skips = extract_image_samples(boxes, np.array([0, 1, 2]), np.array([True, False, False]),
                                           200, 200, 3, np.random.default_rng(1), neg_ratio=5)
    assert skips['crowd'] == 1 and skips['tiny'] == 1
    assert [s.label for s in samples if s.gt_box is not None] == [2]
    for s in samples:
        if s.gt_box is None:
            assert intersection_areas(s.crop_box.astype(float), boxes).max() == 0


def test_context_zero_gives_the_bare_box_and_half_gives_the_papers_growth():
    """context=0: the box rounded outward; 0.5 (the paper): each side grows by U(0, w/2) on average
    w/4 (clipped at the image only far from here), never beyond w/2."""
    box = np.array([200.0, 150.0, 240.0, 230.0])  # 40 x 80, far from the 1000 x 1000 image's border
    rng = np.random.default_rng(0)
    bare = [enlarge_box(box, 1000, 1000, rng, context=0.0) for _ in range(50)]
    assert all(c.tolist() == [200, 150, 240, 230] for c in bare)
    grown = np.array([enlarge_box(box, 1000, 1000, rng, context=0.5) for _ in range(4000)], np.float64)
    left, top = box[0] - grown[:, 0], box[1] - grown[:, 1]
    right, bottom = grown[:, 2] - box[2], grown[:, 3] - box[3]
    for side, half in ((left, 20), (right, 20), (top, 40), (bottom, 40)):  # U(0, w/2), U(0, h/2)
        assert side.min() >= 0 and side.max() <= half + 1 and side.max() > 0.95 * half
        assert abs(side.mean() - (half / 2 + 0.5)) < 0.03 * half  # rounding outward adds 0.5 px on average
    assert np.corrcoef(left, right)[0, 1] < 0.1  # the sides are drawn independently


def test_negatives_are_never_smaller_than_min_size():
    """A 3-px strip of background: shrinking a negative to fit it would give 2-px negatives."""
    boxes = np.array([[0, 0, 100, 97], [40, 50, 48, 58]], float)
    sides = []
    for seed in range(100):
        samples, skips = extract_image_samples(boxes, np.array([0, 1]), np.zeros(2, bool), 100, 100, 2,
                                               np.random.default_rng(seed), neg_ratio=2.0, min_size=4)
        sides += [min(s.crop_box[2] - s.crop_box[0], s.crop_box[3] - s.crop_box[1]) for s in samples
                  if s.gt_box is None]
        assert skips['no_background'] == 4 - sum(s.gt_box is None for s in samples)
    assert all(side >= 4 for side in sides)
