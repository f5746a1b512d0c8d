"""Detections drawn from plain arrays: box borders in their colour, captions, titles, rows of panels."""
import numpy as np

from mmjigsaw.visualization import draw_boxes, fit_image, panel_rows, titled

RED, GREEN = (214, 39, 40), (40, 170, 40)


class TestDrawBoxes:

    def test_each_box_bordered_in_its_colour_inside_left_alone(self):
        img = np.zeros((100, 120, 3), np.uint8)
        out = draw_boxes(img, np.array([[20, 40, 80, 90]]), [0], ['disc'], RED, thickness=2)
        assert out.shape == img.shape and out.dtype == np.uint8 and not img.any()  # a copy
        assert tuple(out[70, 20]) == RED and tuple(out[70, 21]) == RED   # left border, 2 px
        assert tuple(out[70, 79]) == RED                                   # right border: x2 less one
        assert tuple(out[89, 50]) == RED                                   # bottom border: y2 less one
        assert tuple(out[70, 22]) == (0, 0, 0) and tuple(out[70, 50]) == (0, 0, 0)  # inside
        assert tuple(out[70, 18]) == (0, 0, 0) and tuple(out[70, 81]) == (0, 0, 0)  # outside, left and right
        assert tuple(out[95, 50]) == (0, 0, 0)                             # below the box

    def test_caption_above_the_box_or_inside_at_the_top(self):
        img = np.zeros((100, 120, 3), np.uint8)
        above = draw_boxes(img, np.array([[20, 40, 80, 90]]), [0], ['disc'], RED)
        label = (above == RED).all(-1)  # the filled label, in the box's colour, over its top-left corner
        assert label[27:40, 21].all() and not label[:24].any()
        top = draw_boxes(img, np.array([[20, 2, 80, 90]]), [0], ['disc'], RED)  # no room above: inside
        assert (top[15:17, 22:45] == RED).all() and (top[15:17, 60:75] == 0).all()

    def test_score_in_the_caption_widens_it(self):
        img = np.zeros((60, 200, 3), np.uint8)
        plain = draw_boxes(img, np.array([[10, 30, 190, 55]]), [1], ['a', 'b'], RED)
        scored = draw_boxes(img, np.array([[10, 30, 190, 55]]), [1], ['a', 'b'], RED, scores=[0.87])
        width = [np.argwhere((o[20] == RED).all(-1)).max() for o in (plain, scored)]  # label row y=20
        assert width[1] > width[0] + 15

    def test_no_boxes_no_change(self):
        img = np.full((10, 10, 3), 7, np.uint8)
        assert (draw_boxes(img, np.zeros((0, 4)), [], ['a'], RED) == img).all()


class TestFitImage:

    def test_longer_side_to_size_boxes_scaled_alike(self):
        img = np.zeros((200, 400, 3), np.uint8)
        out, (a, b) = fit_image(img, [np.array([[40, 20, 80, 100]]), np.zeros((0, 4))], 200)
        assert out.shape == (100, 200, 3)
        assert a.tolist() == [[20, 10, 40, 50]] and b.shape == (0, 4)


class TestPanels:

    def test_title_strip_on_top(self):
        out = titled(np.zeros((30, 200, 3), np.uint8), 'ground truth', height=20)
        assert out.shape == (50, 200, 3)
        assert (out[20:] == 0).all() and (out[:20] < 128).any() and (out[:20] == 255).mean() > 0.8

    def test_rows_side_by_side_on_white(self):
        a, b, c = (np.full((h, w, 3), v, np.uint8) for h, w, v in ((10, 20, 1), (6, 20, 2), (8, 30, 3)))
        out = panel_rows([[a, b], [c]], gap=4)
        assert out.shape == (4 + 10 + 4 + 8 + 4, 4 + 20 + 4 + 20 + 4, 3)
        assert (out[4:14, 4:24] == 1).all() and (out[4:10, 28:48] == 2).all() and (out[18:26, 4:34] == 3).all()
        assert (out[10:14, 28:48] == 255).all()  # under the shorter panel: white
        assert (out[18:26, 34:] == 255).all()    # right of the narrower row: white
