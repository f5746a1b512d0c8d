import os.path as osp
import warnings

import numpy as np
import pytest
import torch
from mmengine.dataset import DefaultSampler, InfiniteSampler, default_collate

from mmjigsaw.datasets import MontageDataset, OnlineMontageDataset, SampleStore, build_sample_store
from mmjigsaw.errors import ConfigError

PIPELINE = [dict(type='JigsawAssemble'), dict(type='PackJigsawInputs')]


def test_draws_two_square_one_tall_one_wide(demo_store):
    dataset = MontageDataset(demo_store, PIPELINE, seed=0)
    store = SampleStore(demo_store)
    assert len(dataset) == len(store) // 4
    for i in range(10):
        picks = dataset.draw(i)['sample_indices']
        assert [store[int(p)]['group'] for p in picks] == ['S', 'S', 'T', 'W']


def test_same_seed_same_montages_other_seed_others(demo_store):
    a, b = MontageDataset(demo_store, PIPELINE, seed=1), MontageDataset(demo_store, PIPELINE, seed=1)
    c = MontageDataset(demo_store, PIPELINE, seed=2)
    for i in (0, 5):
        assert torch.equal(a[i]['inputs'], b[i]['inputs'])
    assert not torch.equal(a[0]['inputs'], c[0]['inputs'])


@pytest.mark.slow  # starts worker processes
def test_works_with_mmengine_samplers_and_worker_processes(demo_store):
    dataset = MontageDataset(demo_store, PIPELINE, num_montages=12, seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=2, collate_fn=default_collate,
                                         sampler=DefaultSampler(dataset, shuffle=False))
    batches = list(loader)
    assert len(batches) == 3
    assert batches[0]['inputs'].shape == (4, 3, 224, 224)
    assert torch.equal(batches[1]['inputs'][0], dataset[4]['inputs'])
    infinite = iter(torch.utils.data.DataLoader(dataset, batch_size=5, sampler=InfiniteSampler(dataset, seed=0),
                                                collate_fn=default_collate))
    assert [len(next(infinite)['inputs']) for _ in range(4)] == [5, 5, 5, 5]


def test_missing_group_warns_once_and_substitutes(coco_factory, tmp_path):
    # squares and wide boxes only: no tall samples can come out
    images = [(200, 300, [[20, 20, 60, 60, 1], [120, 100, 150, 30, 2]]) for _ in range(6)]
    ann, img_dir = coco_factory(images)
    store = str(tmp_path / 'store')
    build_sample_store(ann, img_dir, store, neg_ratio=0.0)
    assert SampleStore(store).summary['per_group']['T'] == 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        dataset = MontageDataset(store, PIPELINE)
        for i in range(5):
            dataset[i]
    messages = [str(w.message) for w in caught if 'aspect groups' in str(w.message)]
    assert len(messages) == 1 and 'T is empty, so S samples fill its region' in messages[0]
    assert dataset.group_sources == {'S': 'S', 'T': 'S', 'W': 'W'}


def test_online_mode_builds_montages_from_detection_images(demo_root):
    dataset = OnlineMontageDataset(
        osp.join(demo_root, 'annotations', 'instances_train.json'), osp.join(demo_root, 'train'),
        extract_pipeline=[dict(type='PosNegExtract', num_classes=7)], pipeline=PIPELINE, seed=0)
    a, b = dataset[3], dataset[3]
    assert a['inputs'].shape == (3, 224, 224)
    assert torch.equal(a['inputs'], b['inputs'])
    assert a['data_samples'].gt_region_labels.max() <= 7
    assert dataset.metainfo['classes'][-1] == 'background'


def test_pipeline_builds_outside_the_mmjigsaw_scope(demo_store):
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmengine'):
        dataset = MontageDataset(demo_store, PIPELINE)
    assert dataset[0]['inputs'].shape == (3, 224, 224)


@pytest.mark.slow  # starts worker processes
def test_montage_collate_batches_in_workers_and_samples_survive_pickling(demo_store):
    import pickle

    from mmjigsaw.datasets import montage_collate
    dataset = MontageDataset(demo_store, PIPELINE, num_montages=8, seed=0)
    loader = torch.utils.data.DataLoader(dataset, batch_size=4, num_workers=2, collate_fn=montage_collate)
    batch = next(iter(loader))
    assert batch['inputs'].shape == (4, 3, 224, 224) and batch['inputs'].dtype == torch.uint8
    assert torch.equal(batch['inputs'][1], dataset[1]['inputs'])
    sample = batch['data_samples'][1]
    assert torch.equal(sample.gt_region_labels, dataset[1]['data_samples'].gt_region_labels)
    np.testing.assert_array_equal(sample.regions, [[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224],
                                                   [64, 64, 224, 224]])
    assert sample.img_shape == (224, 224)
    predicted = pickle.loads(pickle.dumps(sample.set_pred_region_scores(torch.ones(4, 8))))
    assert torch.equal(predicted.pred_region_scores, torch.ones(4, 8))


def test_online_mode_skips_unreadable_images_with_one_warning(coco_factory):
    import os
    ann, img_dir = coco_factory([(200, 300, [[20, 20, 60, 60, 1], [120, 100, 150, 30, 2], [250, 20, 20, 90, 1]])
                                 for _ in range(3)])
    os.remove(osp.join(img_dir, '2.jpg'))
    dataset = OnlineMontageDataset(ann, img_dir, extract_pipeline=[dict(type='PosNegExtract', num_classes=2)],
                                   pipeline=PIPELINE, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        for i in range(6):
            assert dataset[i]['inputs'].shape == (3, 224, 224)
    messages = [str(w.message) for w in caught if 'unreadable image' in str(w.message)]
    assert len(messages) == 1 and '2.jpg: image file not found' in messages[0]
    assert dataset.unreadable['2.jpg'] >= 1


def test_slots_that_share_a_pool_get_different_samples_when_it_has_enough():
    from mmjigsaw.datasets import choose_montage_samples
    pools = {'S': ['s0', 's1'], 'T': ['t0'], 'W': ['w0', 'w1', 'w2']}
    sources = {'S': 'S', 'T': 'T', 'W': 'W'}
    for seed in range(200):
        s_a, s_b, tall, wide = choose_montage_samples(pools, sources, np.random.default_rng(seed))
        assert s_a != s_b and tall == 't0' and wide in pools['W']
    # no tall samples: the T slot draws from S too, and all three S-pool slots differ
    pools = {'S': ['s0', 's1', 's2'], 'T': [], 'W': ['w0']}
    for seed in range(200):
        picks = choose_montage_samples(pools, {'S': 'S', 'T': 'S', 'W': 'W'}, np.random.default_rng(seed))
        assert len(set(picks[:3])) == 3
    # a single S sample has to fill both S regions
    picks = choose_montage_samples({'S': ['s0'], 'T': ['t0'], 'W': ['w0']}, sources, np.random.default_rng(0))
    assert picks == ['s0', 's0', 't0', 'w0']


def test_online_mode_warns_once_about_a_group_no_object_has(coco_factory):
    images = [(200, 300, [[20, 20, 60, 60, 1], [120, 100, 150, 30, 2]]) for _ in range(3)]  # no tall box
    ann, img_dir = coco_factory(images)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        dataset = OnlineMontageDataset(ann, img_dir, extract_pipeline=[dict(type='PosNegExtract', num_classes=2)],
                                       pipeline=PIPELINE)
        dataset[0], dataset[1]
    messages = [str(w.message) for w in caught if 'aspect groups' in str(w.message)]
    assert len(messages) == 1 and 'T is empty' in messages[0]


def test_online_group_counts_skip_boxes_below_min_size(coco_factory):
    # the only tall boxes are 3 px wide: PosNegExtract(min_size=4) never cuts them
    images = [(200, 300, [[20, 20, 60, 60, 1], [120, 100, 150, 30, 2], [250, 20, 3, 40, 1]]) for _ in range(3)]
    ann, img_dir = coco_factory(images)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        OnlineMontageDataset(ann, img_dir, extract_pipeline=[dict(type='PosNegExtract', num_classes=2, min_size=4)],
                             pipeline=PIPELINE)
    messages = [str(w.message) for w in caught if 'aspect groups' in str(w.message)]
    assert len(messages) == 1 and 'T is empty' in messages[0]


def test_online_mode_needs_a_transform_that_cuts_samples(coco_factory):
    ann, img_dir = coco_factory([(200, 300, [[20, 20, 60, 60, 1]])])
    with pytest.raises(ConfigError, match='no PosNegExtract'):
        OnlineMontageDataset(ann, img_dir, extract_pipeline=[], pipeline=PIPELINE)
