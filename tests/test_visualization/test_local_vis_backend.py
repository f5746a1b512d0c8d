"""mmjigsaw's LocalVisBackend writes images whose names have folders (erf/heatmap), which mmengine's
own backend drops silently."""
import os.path as osp

import cv2
import numpy as np

from mmjigsaw.registry import VISBACKENDS
from mmjigsaw.visualization import LocalVisBackend


def test_image_names_with_folders_land_in_those_folders(tmp_path):
    backend = VISBACKENDS.build(dict(type='LocalVisBackend', save_dir=str(tmp_path)))
    assert type(backend) is LocalVisBackend
    image = np.zeros((5, 6, 3), np.uint8)
    image[1, 2] = (255, 0, 0)
    backend.add_image('erf/heatmap', image, step=3)
    path = osp.join(str(tmp_path), 'vis_image', 'erf', 'heatmap_3.png')
    assert osp.isfile(path)
    assert (cv2.imread(path)[..., ::-1] == image).all()  # the RGB picture, as it was given


def test_plain_names_as_before(tmp_path):
    backend = VISBACKENDS.build(dict(type='LocalVisBackend', save_dir=str(tmp_path)))
    backend.add_image('montage', np.full((4, 4, 3), 7, np.uint8), step=0)
    assert (cv2.imread(osp.join(str(tmp_path), 'vis_image', 'montage_0.png')) == 7).all()
