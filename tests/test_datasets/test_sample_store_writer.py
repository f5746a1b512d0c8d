import numpy as np
import pytest

from mmjigsaw.datasets import CropCodec, SampleStore
from mmjigsaw.datasets import sample_store as sample_store_module
from mmjigsaw.datasets.sample_store import SampleStoreWriter


def write(folder: str, crops, codec: CropCodec) -> None:
    writer = SampleStoreWriter(folder, codec)
    for i, crop in enumerate(crops):
        h, w = crop.shape[:2]
        box = [i, 0, i + w, h]
        writer.add(codec.encode(crop), i % 3, 'S', i, box, None if i % 3 == 2 else box)
    writer.close(['a', 'b'], dict(ann_file='', img_dir=''), {})


@pytest.mark.parametrize('fmt', ['raw', 'jpeg'])
def test_records_packed_in_chunks_give_the_same_store(tmp_path, monkeypatch, fmt):
    rng = np.random.default_rng(0)
    crops = [rng.integers(0, 255, (int(rng.integers(8, 20)), int(rng.integers(8, 20)), 3), dtype=np.uint8)
             for _ in range(30)]
    codec = CropCodec(fmt)
    write(str(tmp_path / 'one'), crops, codec)
    monkeypatch.setattr(sample_store_module, 'RECORDS_PER_CHUNK', 7)  # 4 full chunks and a rest
    write(str(tmp_path / 'chunked'), crops, codec)
    assert (tmp_path / 'one' / 'index.npy').read_bytes() == (tmp_path / 'chunked' / 'index.npy').read_bytes()
    store = SampleStore(str(tmp_path / 'chunked'))
    assert len(store) == 30 and store[2]['gt_box'] is None and store[3]['label'] == 0
    for crop, i in zip(crops, range(30)):
        out = store.image(i)
        assert out.shape == crop.shape
        if fmt == 'raw':
            np.testing.assert_array_equal(out, crop)


def test_a_raw_crop_of_the_wrong_size_is_refused(tmp_path):
    writer = SampleStoreWriter(str(tmp_path / 's'), CropCodec('raw'))
    with pytest.raises(ValueError, match='300 bytes for a raw 10x20 crop'):
        writer.add(bytes(300), 0, 'S', 1, [0, 0, 10, 20], None)
