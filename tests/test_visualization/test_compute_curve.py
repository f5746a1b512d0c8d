"""Box AP against compute: a PNG with both arms' points in their colours and the pre-training band."""
import cv2
import numpy as np

from mmjigsaw.visualization import CurveArm, plot_compute_curve


def _share(img, rgb, tol=12):
    return (np.abs(img.astype(int) - rgb).max(-1) <= tol).mean()


def test_both_arms_drawn_in_their_colours(tmp_path):
    arms = [CurveArm('Montage', '#d62728', [1, 2], [300.0, 330.0], [0.01, 0.05], pretrain=270.0),
            CurveArm('random init', '#1f77b4', [1, 2, 3], [35.0, 70.0, 105.0], [0.0, 0.01, 0.02])]
    path = str(tmp_path / 'curve.png')
    plot_compute_curve(arms, path, 'title', note='one seed')
    img = cv2.imread(path)[..., ::-1]
    assert img.shape == (550, 880, 3)  # 8 x 5 inches at 110 dpi
    assert _share(img, (214, 39, 40)) > 5e-4 and _share(img, (31, 119, 180)) > 5e-4
    # the pre-training band: red at 12% on white, left of the Montage points
    assert _share(img, (250, 228, 228), tol=6) > 0.02


def test_no_band_without_pre_training(tmp_path):
    path = str(tmp_path / 'curve.png')
    plot_compute_curve([CurveArm('random init', '#1f77b4', [1], [35.0], [0.0])], path, 'title')
    img = cv2.imread(path)[..., ::-1]
    assert _share(img, (250, 228, 228), tol=6) == 0 and _share(img, (214, 39, 40)) == 0
