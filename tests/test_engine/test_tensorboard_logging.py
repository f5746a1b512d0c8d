"""A short pre-training run leaves a TensorBoard event file with the curves and the ERF pictures."""
import glob
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.runner import Runner
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from helpers import tiny_pretrain_cfg


@pytest.fixture(scope='module')
def pretrain_run(demo_store, tmp_path_factory):
    """A 5-iteration pre-training (ERF refreshes at 0, 2, 4; a log line every iteration)."""
    work_dir = tmp_path_factory.mktemp('tb_run')
    cfg = tiny_pretrain_cfg(demo_store, work_dir, max_iters=5)
    cfg.custom_hooks = [dict(type='ERFUpdateHook', interval=2, num_images=1),
                        dict(type='ERFVisualizationHook', out_dir='erf')]
    Runner.from_cfg(cfg).train()
    (run_dir,) = glob.glob(osp.join(str(work_dir), '*', 'vis_data'))
    (event_file,) = glob.glob(osp.join(run_dir, 'events.out.tfevents.*'))
    events = EventAccumulator(event_file, size_guidance={'images': 0, 'scalars': 0})
    events.Reload()
    return work_dir, run_dir, events


def _decode(encoded: bytes) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(encoded, np.uint8), cv2.IMREAD_COLOR)[..., ::-1]


@pytest.mark.slow
class TestTensorboardLogging:

    def test_curves_of_loss_accuracy_lr_and_erf_statistics(self, pretrain_run):
        _, run_dir, events = pretrain_run
        tags = events.Tags()['scalars']
        for key in ('loss', 'acc_region', 'lr', 'erf_own_weight', 'erf_own_share'):
            assert key in tags, key
        with open(osp.join(run_dir, 'scalars.json')) as f:
            logged = [json.loads(line) for line in f]
        # the same values at the same steps as mmengine's JSON log
        for key in ('loss', 'erf_own_share'):
            assert [(e.step, pytest.approx(e.value, rel=1e-6)) for e in events.Scalars(key)] == \
                [(r['step'], r[key]) for r in logged]

    def test_erf_pictures_at_every_refresh(self, pretrain_run):
        work_dir, run_dir, events = pretrain_run
        assert {'erf/heatmap', 'erf/evolution'} <= set(events.Tags()['images'])
        for tag in ('erf/heatmap', 'erf/evolution'):
            assert [e.step for e in events.Images(tag)] == [0, 2, 4], tag
        # the pictures are ERFVisualizationHook's: the last evolution is its PNG in the work dir
        evolution = events.Images('erf/evolution')
        last = cv2.imread(str(work_dir / 'erf' / 'evolution.png'))[..., ::-1]
        assert (_decode(evolution[-1].encoded_image_string) == last).all()
        assert _decode(evolution[0].encoded_image_string).shape[1] < last.shape[1]  # one column, then three
        heatmap = cv2.imread(str(work_dir / 'erf' / 'iter_2.png'))[..., ::-1]
        assert (_decode(events.Images('erf/heatmap')[1].encoded_image_string) == heatmap).all()

    def test_local_backend_takes_the_same_image_names(self, pretrain_run):
        work_dir, run_dir, _ = pretrain_run
        saved = sorted(osp.basename(p) for p in glob.glob(osp.join(run_dir, 'vis_image', 'erf', '*.png')))
        assert saved == [f'{name}_{step}.png' for name in ('evolution', 'heatmap') for step in (0, 2, 4)]
        local = cv2.imread(osp.join(run_dir, 'vis_image', 'erf', 'heatmap_4.png'))
        assert (local == cv2.imread(str(work_dir / 'erf' / 'iter_4.png'))).all()
