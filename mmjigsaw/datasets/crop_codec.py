"""How the sample store keeps a crop's pixels: ``raw`` or ``jpeg``.

- ``raw``: the (H, W, 3) uint8 RGB bytes as they are. Reading is a slice of the memory-mapped
  file, no decoding; the store is about the size of the decoded crops.
- ``jpeg``: baseline JPEG, 4:2:0 chroma, at ``quality`` (1-100), through simplejpeg
  (libjpeg-turbo). Chosen over OpenCV's codec by a micro-measurement on the demo crops: the same
  bytes decode 5% faster at 160 px and 35% faster at 64 px (less per-call overhead), and
  encoding is as fast. The encoder is deterministic (the same pixels and quality give the same
  bytes), so a store's bytes stay the same under any number of extraction workers.
"""
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np
import simplejpeg

from mmjigsaw.errors import ConfigError, DataError

CROP_FORMATS = ('raw', 'jpeg')
#: What tools/extract_samples.py writes unless told otherwise (README, "Sample store format").
DEFAULT_FORMAT = 'jpeg'
DEFAULT_JPEG_QUALITY = 90
JPEG_SUBSAMPLING = '420'


@dataclass(frozen=True)
class CropCodec:
    """Encodes (H, W, 3) uint8 RGB crops to bytes and decodes them back.

    Args:
        format: one of :data:`CROP_FORMATS`.
        quality: JPEG quality 1-100 (``None``: :data:`DEFAULT_JPEG_QUALITY`); must be ``None``
            for ``raw``.

    Raises:
        ConfigError: an unknown format or a quality out of range or given for ``raw``.
    """
    format: str = DEFAULT_FORMAT
    quality: Optional[int] = None

    def __post_init__(self):
        if self.format not in CROP_FORMATS:
            raise ConfigError(f'--format {self.format}: must be one of {", ".join(CROP_FORMATS)}.')
        if self.format == 'raw':
            if self.quality is not None:
                raise ConfigError(f'--quality {self.quality}: the raw format has no quality.')
        elif self.quality is None:
            object.__setattr__(self, 'quality', DEFAULT_JPEG_QUALITY)
        elif not 1 <= self.quality <= 100:
            raise ConfigError(f'--quality {self.quality}: must be 1-100.')

    @classmethod
    def from_meta(cls, meta: Dict) -> 'CropCodec':
        """The codec a store's ``meta.json`` records (version 1 stores, without one, are raw)."""
        return cls(**meta.get('codec', dict(format='raw')))

    def to_meta(self) -> Dict:
        return dict(format=self.format, quality=self.quality)

    def describe(self) -> str:
        """'raw' or 'jpeg q90'."""
        return self.format if self.format == 'raw' else f'{self.format} q{self.quality}'

    def encode(self, crop: np.ndarray) -> bytes:
        """The bytes of one (H, W, 3) uint8 RGB crop."""
        crop = np.ascontiguousarray(crop, dtype=np.uint8)
        if self.format == 'raw':
            return crop.tobytes()
        return simplejpeg.encode_jpeg(crop, quality=self.quality, colorspace='RGB',
                                      colorsubsampling=JPEG_SUBSAMPLING)

    def decode(self, data: np.ndarray, height: int, width: int) -> np.ndarray:
        """The (height, width, 3) uint8 RGB crop held by ``data`` (1-D uint8): for ``raw`` a view of
        ``data`` (read-only as the store's map is), for ``jpeg`` a new read-only array.

        Raises:
            DataError: the bytes do not decode to a crop of that size.
        """
        if self.format == 'raw':
            return data.reshape(height, width, 3)
        try:
            crop = simplejpeg.decode_jpeg(data, colorspace='RGB')
        except ValueError as err:
            raise DataError(f'undecodable JPEG crop ({err})') from None
        if crop.shape[:2] != (height, width):
            raise DataError(f'JPEG crop of {crop.shape[1]}x{crop.shape[0]}, the index says {width}x{height}')
        crop.flags.writeable = False
        return crop
