"""Reading source images with clear errors for missing, unreadable and truncated files."""
import os.path as osp

import cv2
import numpy as np

from mmjigsaw.errors import DataError

JPEG_END = b'\xff\xd9'


def read_image_rgb(path: str) -> np.ndarray:
    """Decode an image file to (H, W, 3) uint8 RGB.

    Raises:
        DataError: the file is missing, cannot be decoded, or is a JPEG cut short (OpenCV would
            otherwise fill the missing part with grey and only warn).
    """
    if not osp.isfile(path):
        raise DataError(f'{path}: image file not found.')
    with open(path, 'rb') as f:
        data = f.read()
    if data[:2] == b'\xff\xd8' and JPEG_END not in data[-64:]:
        raise DataError(f'{path}: truncated JPEG (no end-of-image marker); re-download or remove it.')
    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if img is None:
        raise DataError(f'{path}: not a readable image.')
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
