import json
import os.path as osp
import subprocess
import sys

import cv2
import numpy as np
import pytest

from mmjigsaw.datasets import SampleStore, build_sample_store
from mmjigsaw.datasets.demo import DEMO_CATEGORIES
from mmjigsaw.utils import DataError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_store_api_and_crop_box_matches_the_source_pixels(demo_root, demo_store):
    store = SampleStore(demo_store)
    assert len(store) == store.summary['positives'] + store.summary['negatives'] > 0
    assert store.classes == [c.name for c in DEMO_CATEGORIES] + ['background']
    assert store.source['img_dir'] == osp.abspath(osp.join(demo_root, 'train'))
    with open(osp.join(demo_root, 'annotations', 'instances_train.json')) as f:
        files = {im['id']: im['file_name'] for im in json.load(f)['images']}
    for i in range(0, len(store), max(1, len(store) // 25)):
        s = store[i]
        assert s['img'].dtype == np.uint8 and s['img'].ndim == 3
        x1, y1, x2, y2 = s['crop_box']
        src = cv2.imread(osp.join(store.source['img_dir'], files[s['image_id']]))[..., ::-1]
        np.testing.assert_array_equal(s['img'], src[y1:y2, x1:x2])
        assert s['group'] in 'STW'
        if s['gt_box'] is None:
            assert s['label'] == store.num_classes
        else:
            assert s['label'] < store.num_classes
            assert x1 <= s['gt_box'][0] and s['gt_box'][2] <= x2


def test_summary_counts_add_up(demo_store):
    store = SampleStore(demo_store)
    summary = store.summary
    assert sum(summary['per_class'].values()) == len(store)
    assert sum(summary['per_group'].values()) == len(store)
    assert summary['per_class']['background'] == summary['negatives'] == int((store.labels == 7).sum())
    # the 10 : 1 ratio is exact over the store: floor(0.1 * positives) negatives were asked for
    assert summary['negatives'] + summary['skips'].get('no_background', 0) == int(0.1 * summary['positives'])


def test_same_store_for_any_number_of_workers(demo_root, demo_store, tmp_path):
    out = str(tmp_path / 'store2')
    build_sample_store(osp.join(demo_root, 'annotations', 'instances_train.json'),
                       osp.join(demo_root, 'train'), out, workers=2, seed=0)
    for name in ('pixels.bin', 'index.npy'):
        with open(osp.join(out, name), 'rb') as a, open(osp.join(demo_store, name), 'rb') as b:
            assert a.read() == b.read()


def test_cli_prints_a_summary_and_refuses_an_existing_store(demo_root, demo_store, tmp_path):
    cmd = [sys.executable, osp.join(ROOT, 'tools', 'extract_samples.py'),
           '--ann', osp.join(demo_root, 'annotations', 'instances_val.json'),
           '--img-dir', osp.join(demo_root, 'val'), '--out', str(tmp_path / 's'), '--workers', '2']
    result = subprocess.run(cmd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'images 4, positives' in result.stdout and 'per group' in result.stdout
    again = subprocess.run(cmd, capture_output=True, text=True)
    assert again.returncode == 2 and 'already exists' in again.stderr


def test_truncated_or_altered_store_is_refused(demo_store, tmp_path):
    import shutil
    copy = tmp_path / 'copy'
    shutil.copytree(demo_store, copy)
    with open(copy / 'pixels.bin', 'r+b') as f:
        f.seek(100)
        f.write(b'\x00\x01\x02')
    with pytest.raises(DataError, match='checksum mismatch'):
        SampleStore(str(copy)).verify()
    with open(copy / 'pixels.bin', 'r+b') as f:
        f.truncate(1000)
    with pytest.raises(DataError, match='truncated or altered'):
        SampleStore(str(copy))
    meta = json.loads((copy / 'meta.json').read_text())
    meta['version'] = 99
    (copy / 'meta.json').write_text(json.dumps(meta))
    with pytest.raises(DataError, match='version 99'):
        SampleStore(str(copy))
    with pytest.raises(DataError, match='not a complete sample store'):
        SampleStore(str(tmp_path / 'nowhere'))
