import json
import math
import os.path as osp
import shutil
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmjigsaw.datasets import CROP_FORMATS, MontageDataset, SampleStore, build_sample_store
from mmjigsaw.datasets.demo import DEMO_CATEGORIES
from mmjigsaw.errors import DataError
from helpers import tiny_pretrain_cfg

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
PIPELINE = [dict(type='JigsawAssemble', template=dict(canvas=224, cut=64)), dict(type='PackJigsawInputs')]


def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


@pytest.fixture(scope='module')
def stores(demo_root, tmp_path_factory):
    """The demo training split extracted once per format (one worker): ``{format: folder}``."""
    root = tmp_path_factory.mktemp('stores')
    out = {fmt: str(root / fmt) for fmt in CROP_FORMATS}
    for fmt, folder in out.items():
        build_sample_store(osp.join(demo_root, 'annotations', 'instances_train.json'),
                           osp.join(demo_root, 'train'), folder, seed=0, fmt=fmt)
    return out


@pytest.mark.parametrize('fmt', CROP_FORMATS)
def test_store_api_and_crops_match_the_source_pixels(demo_root, stores, fmt):
    """Raw crops are the source pixels exactly; JPEG crops within a few grey levels at quality 90."""
    store = SampleStore(stores[fmt])
    assert store.codec.to_meta() == dict(format=fmt, quality=None if fmt == 'raw' else 90)
    assert len(store) == store.summary['positives'] + store.summary['negatives'] > 0
    assert store.classes == [c.name for c in DEMO_CATEGORIES] + ['background']
    assert store.source['img_dir'] == osp.abspath(osp.join(demo_root, 'train'))
    with open(osp.join(demo_root, 'annotations', 'instances_train.json')) as f:
        files = {im['id']: im['file_name'] for im in json.load(f)['images']}
    diffs = []
    for i in range(len(store)):
        s = store[i]
        x1, y1, x2, y2 = s['crop_box']
        assert s['img'].shape == (y2 - y1, x2 - x1, 3) and s['img'].dtype == np.uint8
        assert not s['img'].flags.writeable
        src = cv2.imread(osp.join(store.source['img_dir'], files[s['image_id']]))[..., ::-1]
        diffs.append(mean_abs_diff(s['img'], src[y1:y2, x1:x2]))
        assert s['group'] in 'STW'
        if s['gt_box'] is None:
            assert s['label'] == store.num_classes
        else:
            assert s['label'] < store.num_classes
            assert x1 <= s['gt_box'][0] and s['gt_box'][2] <= x2
    if fmt == 'raw':
        assert max(diffs) == 0
    else:  # the demo's hard edges and noise are a worst case for JPEG (4.6 measured)
        assert 1 < np.mean(diffs) < 6 and max(diffs) < 10


def test_jpeg_store_is_a_fraction_of_raw(stores):
    raw, jpeg = SampleStore(stores['raw']), SampleStore(stores['jpeg'])
    assert raw.meta['pixels_bytes'] == int((raw.index['height'].astype(np.int64) * raw.index['width'] * 3).sum())
    assert jpeg.disk_bytes < 0.25 * raw.disk_bytes


def test_summary_counts_add_up(demo_store):
    store = SampleStore(demo_store)
    summary = store.summary
    assert sum(summary['per_class'].values()) == len(store)
    assert sum(summary['per_group'].values()) == len(store)
    assert summary['per_class']['background'] == summary['negatives'] == int((store.labels == 7).sum())
    # the 10 : 1 ratio is exact over the store: floor(0.1 * positives) negatives were asked for
    assert summary['negatives'] + summary['skips'].get('no_background', 0) == int(0.1 * summary['positives'])


@pytest.mark.slow  # starts worker processes
@pytest.mark.parametrize('fmt', CROP_FORMATS)
def test_same_store_for_any_number_of_workers(demo_root, stores, tmp_path, fmt):
    out = str(tmp_path / 'store2')
    build_sample_store(osp.join(demo_root, 'annotations', 'instances_train.json'),
                       osp.join(demo_root, 'train'), out, workers=2, seed=0, fmt=fmt)
    for name in ('pixels.bin', 'index.npy', 'meta.json'):
        with open(osp.join(out, name), 'rb') as a, open(osp.join(stores[fmt], name), 'rb') as b:
            assert a.read() == b.read(), name


def test_version_1_store_reads_as_raw(stores, tmp_path):
    """A store written before the codec existed (version 1, no ``codec``) still reads, as raw."""
    old = tmp_path / 'v1'
    shutil.copytree(stores['raw'], old)
    meta = json.loads((old / 'meta.json').read_text())
    meta['version'] = 1
    del meta['codec']
    (old / 'meta.json').write_text(json.dumps(meta))
    new, store = SampleStore(stores['raw']), SampleStore(str(old))
    assert store.codec.format == 'raw'
    for i in range(len(store)):
        np.testing.assert_array_equal(store.image(i), new.image(i))


@pytest.mark.slow
def test_cli_prints_a_summary_and_refuses_an_existing_store(demo_root, tmp_path):
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'extract_samples.py'),
           '--ann', osp.join(demo_root, 'annotations', 'instances_val.json'),
           '--img-dir', osp.join(demo_root, 'val'), '--out', str(tmp_path / 's'), '--workers', '2',
           '--format', 'jpeg', '--quality', '80']
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'images 4, positives' in result.stdout and 'per group' in result.stdout
    assert 'per positive, asked 0.1)' in result.stdout  # the delivered negative ratio beside the asked one
    assert f'wrote {tmp_path / "s"} (jpeg q80: ' in result.stdout
    assert SampleStore(str(tmp_path / 's')).codec.quality == 80
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 2 and 'already exists' in again.stderr


@pytest.mark.parametrize('fmt', CROP_FORMATS)
def test_truncated_or_altered_store_is_refused(stores, tmp_path, fmt):
    copy = tmp_path / 'copy'
    shutil.copytree(stores[fmt], copy)
    with open(copy / 'pixels.bin', 'r+b') as f:
        f.seek(100)
        f.write(b'\x00\x01\x02')
    with pytest.raises(DataError, match='pixels.bin: checksum mismatch'):
        SampleStore(str(copy)).verify()
    shutil.copy(osp.join(stores[fmt], 'index.npy'), copy / 'other.npy')
    index = np.load(copy / 'other.npy')
    index['label'][0] += 1
    np.save(copy / 'index.npy', index)
    with pytest.raises(DataError, match='index.npy: checksum mismatch'):
        SampleStore(str(copy))
    shutil.copy(copy / 'other.npy', copy / 'index.npy')
    meta = json.loads((copy / 'meta.json').read_text())
    (copy / 'meta.json').write_text(json.dumps(dict(meta, num_samples=meta['num_samples'] + 1)))
    with pytest.raises(DataError, match=f'{meta["num_samples"]} records, the store records'):
        SampleStore(str(copy))
    (copy / 'meta.json').write_text(json.dumps(dict(meta, version=99)))
    with pytest.raises(DataError, match='version 99'):
        SampleStore(str(copy))
    (copy / 'meta.json').write_text(json.dumps(meta))
    with open(copy / 'pixels.bin', 'r+b') as f:
        f.truncate(1000)
    with pytest.raises(DataError, match='truncated or altered'):
        SampleStore(str(copy))
    with pytest.raises(DataError, match='not a complete sample store'):
        SampleStore(str(tmp_path / 'nowhere'))


def test_a_damaged_jpeg_crop_is_named_when_read(stores, tmp_path):
    copy = tmp_path / 'copy'
    shutil.copytree(stores['jpeg'], copy)
    store = SampleStore(str(copy))
    start, end = int(store.index['offset'][3]), int(store.index['offset'][4])
    with open(copy / 'pixels.bin', 'r+b') as f:
        f.seek(start)
        f.write(bytes(end - start))  # the whole crop zeroed: no JPEG left
    with pytest.raises(DataError, match='sample 3: undecodable JPEG crop'):
        SampleStore(str(copy)).image(3)


def test_montages_from_a_jpeg_store_match_the_raw_ones(stores):
    """Montage i is a function of (seed, i): the formats give the same layout and labels, and
    pixels a few grey levels apart (2.4 measured)."""
    raw, jpeg = MontageDataset(stores['raw'], PIPELINE, seed=0), MontageDataset(stores['jpeg'], PIPELINE, seed=0)
    diffs = []
    for i in range(len(raw)):
        a, b = raw[i], jpeg[i]
        assert b['inputs'].shape == (3, 224, 224)
        np.testing.assert_array_equal(a['data_samples'].gt_region_labels, b['data_samples'].gt_region_labels)
        np.testing.assert_array_equal(a['data_samples'].regions, b['data_samples'].regions)
        diffs.append(mean_abs_diff(a['inputs'].numpy(), b['inputs'].numpy()))
    assert 0.5 < np.mean(diffs) < 4


def test_pre_training_runs_on_a_jpeg_store(stores, tmp_path):
    from mmengine.runner import Runner
    runner = Runner.from_cfg(tiny_pretrain_cfg(stores['jpeg'], tmp_path, max_iters=2))
    runner.train()
    assert runner.iter == 2
    assert math.isfinite(runner.message_hub.get_scalar('train/loss').current())
