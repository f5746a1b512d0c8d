"""mmjigsaw.benchmark.pipeline: what benchmark_pipeline.py and the store-scale rig measure."""
import os
import os.path as osp

import cv2
import pytest
import torch

from mmjigsaw.benchmark import montage_difference, one_thread, pipeline_rates, store_summary
from mmjigsaw.datasets import SampleStore, build_sample_store
from mmjigsaw.errors import DataError


def _store(demo_root, folder, **kwargs):
    build_sample_store(osp.join(demo_root, 'annotations', 'instances_train.json'), osp.join(demo_root, 'train'),
                       folder, **kwargs)
    return folder


def test_store_summary(demo_store, demo_root):
    store = SampleStore(demo_store)
    summary = store_summary(demo_store)
    img_dir = osp.join(demo_root, 'train')
    source = sum(osp.getsize(osp.join(img_dir, f)) for f in os.listdir(img_dir))
    assert summary == dict(store=demo_store, format=store.codec.describe(), samples=len(store),
                           disk_bytes=store.disk_bytes, bytes_per_sample=round(store.disk_bytes / len(store)),
                           store_to_source=round(store.disk_bytes / source, 3))


class TestMontageDifference:

    def test_none_from_itself(self, demo_store):
        assert montage_difference(demo_store, demo_store, num=3) == 0.0

    def test_a_few_grey_levels_between_jpeg_and_raw(self, demo_store, demo_root, tmp_path):
        raw = _store(demo_root, str(tmp_path / 'raw'), seed=0, fmt='raw')
        assert 0 < montage_difference(demo_store, raw, num=3) < 10

    def test_other_samples_refused(self, demo_store, demo_root, tmp_path):
        other = _store(demo_root, str(tmp_path / 'other'), seed=1)
        with pytest.raises(DataError, match='hold different samples'):
            montage_difference(demo_store, other, num=1)


def test_pipeline_rates_one_row_per_worker_count(demo_store):
    (row,) = pipeline_rates(demo_store, workers=[0], batch_size=2, seconds=0.2)
    assert row['workers'] == 0 and row['montage_per_s_per_core'] > 0 and row['imagenet_style_per_s_per_core'] > 0
    # the ratio of the rates as shown (rounded to 0.1), to 2 decimals: at the few images/s of a busy
    # machine a ratio of the unrounded rates differs from it by more than that
    assert row['ratio'] == round(row['montage_per_s_per_core'] / row['imagenet_style_per_s_per_core'], 2)
    (montage_only,) = pipeline_rates(demo_store, workers=[0], batch_size=2, seconds=0.2, imagenet=False)
    assert set(montage_only) == {'workers', 'montage_per_s_per_core'}


def test_one_thread_inside_and_as_before_after():
    before = torch.get_num_threads(), cv2.getNumThreads()
    torch.set_num_threads(2)
    cv2.setNumThreads(3)
    try:
        with one_thread():
            assert (torch.get_num_threads(), cv2.getNumThreads()) == (1, 1)
        assert (torch.get_num_threads(), cv2.getNumThreads()) == (2, 3)
    finally:
        torch.set_num_threads(before[0])
        cv2.setNumThreads(before[1])
