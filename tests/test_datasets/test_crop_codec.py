import numpy as np
import pytest

from mmjigsaw.datasets import CropCodec
from mmjigsaw.errors import ConfigError, DataError


def smooth_crop(h: int = 48, w: int = 80) -> np.ndarray:
    """An (h, w, 3) uint8 RGB crop of gradients: what JPEG keeps best."""
    yy, xx = np.mgrid[0:h, 0:w]
    return np.stack([xx * 255 // w, yy * 255 // h, (xx + yy) * 255 // (h + w)], -1).astype(np.uint8)


def test_raw_round_trip_is_exact_and_a_view_of_the_bytes():
    crop = smooth_crop()
    data = np.frombuffer(CropCodec('raw').encode(crop[:, ::-1]), np.uint8)  # non-contiguous input
    assert len(data) == crop.nbytes
    out = CropCodec('raw').decode(data, 48, 80)
    np.testing.assert_array_equal(out, crop[:, ::-1])
    assert np.shares_memory(out, data) and not out.flags.writeable


def test_jpeg_round_trip_is_close_and_small():
    crop = smooth_crop()
    codec = CropCodec('jpeg')
    assert codec.quality == 90 and codec.describe() == 'jpeg q90'
    data = np.frombuffer(codec.encode(crop), np.uint8)
    assert data[:2].tolist() == [0xFF, 0xD8] and len(data) < crop.nbytes / 4
    out = codec.decode(data, 48, 80)
    assert out.shape == (48, 80, 3) and out.dtype == np.uint8 and not out.flags.writeable
    assert np.abs(out.astype(int) - crop).mean() < 1.5  # RGB order kept: swapped channels differ by ~60
    low = CropCodec('jpeg', quality=20)
    assert len(low.encode(crop)) < len(data)
    assert codec.encode(crop) == codec.encode(crop.copy())  # deterministic


def test_options_are_checked():
    for kwargs, message in ((dict(format='png'), 'must be one of raw, jpeg'),
                            (dict(format='raw', quality=90), 'raw format has no quality'),
                            (dict(format='jpeg', quality=0), 'must be 1-100'),
                            (dict(format='jpeg', quality=101), 'must be 1-100')):
        with pytest.raises(ConfigError, match=message):
            CropCodec(**kwargs)
    assert CropCodec.from_meta({}) == CropCodec('raw')  # version 1 stores
    assert CropCodec.from_meta(dict(codec=CropCodec('jpeg', 75).to_meta())) == CropCodec('jpeg', 75)


def test_damaged_or_mismatched_jpeg_bytes_raise_a_data_error():
    data = np.frombuffer(CropCodec('jpeg').encode(smooth_crop()), np.uint8)
    with pytest.raises(DataError, match='index says 40x48'):
        CropCodec('jpeg').decode(data, 48, 40)
    with pytest.raises(DataError, match='undecodable JPEG crop'):
        CropCodec('jpeg').decode(data[:len(data) // 2], 48, 80)
