"""Moving a batch of montages to the training device and normalising it there."""
from typing import Dict, Sequence

import numpy as np
import torch
from mmengine.model import BaseDataPreprocessor

from mmjigsaw.registry import MODELS

IMAGENET_MEAN_RGB = (123.675, 116.28, 103.53)
IMAGENET_STD_RGB = (58.395, 57.12, 57.375)


@MODELS.register_module()
class JigsawDataPreprocessor(BaseDataPreprocessor):
    """Stack uint8 montages, move them to the model's device in one copy, normalise there.

    Montages are RGB (the sample store keeps RGB), so ``mean`` and ``std`` are in RGB order and
    no channel flip happens. Region labels stay in the data samples; heads move them.

    Args:
        mean: per-channel mean, RGB, 0-255 (docs/method.md §3: ImageNet's).
        std: per-channel std, RGB, 0-255.
        channels_last: give the backbone NHWC memory (faster convolutions on GPUs).
    """

    def __init__(self, mean: Sequence[float] = IMAGENET_MEAN_RGB, std: Sequence[float] = IMAGENET_STD_RGB,
                 channels_last: bool = False, non_blocking: bool = True):
        super().__init__(non_blocking=non_blocking)
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(-1, 1, 1), False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(-1, 1, 1), False)
        self.channels_last = channels_last

    def forward(self, data: Dict, training: bool = False) -> Dict:
        inputs = data['inputs']
        if isinstance(inputs, (list, tuple)):
            inputs = torch.stack(inputs)
        inputs = self.cast_data(inputs).float()
        inputs = (inputs - self.mean) / self.std
        if self.channels_last:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        return dict(inputs=inputs, data_samples=data.get('data_samples'))

    def to_uint8_images(self, inputs: torch.Tensor) -> np.ndarray:
        """Undo the normalisation: (B, 3, H, W) inputs to (B, H, W, 3) uint8 RGB on the CPU."""
        images = (inputs.float() * self.std + self.mean).clamp(0, 255).round().byte()
        return images.permute(0, 2, 3, 1).cpu().numpy()
