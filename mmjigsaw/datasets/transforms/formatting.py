"""Packing a montage into the model's inputs and data sample."""
from typing import Dict

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmjigsaw.registry import TRANSFORMS
from mmjigsaw.structures import JigsawDataSample


@TRANSFORMS.register_module()
class PackJigsawInputs(BaseTransform):
    """Pack a montage as mmengine expects: ``inputs`` (3, H, W) uint8 RGB tensor and a
    :class:`JigsawDataSample`. Normalisation is left to the model's data preprocessor, so it runs
    on the training device.

    Required Keys:
        - img, regions, region_labels

    Added Keys:
        - inputs, data_samples
    """

    def transform(self, results: Dict) -> Dict:
        img = np.ascontiguousarray(results['img'].transpose(2, 0, 1))
        sample = JigsawDataSample(metainfo=dict(regions=results['regions'],
                                                img_shape=results['img'].shape[:2]))
        sample.set_gt_region_labels(results['region_labels'])
        return dict(inputs=torch.from_numpy(img), data_samples=sample)
