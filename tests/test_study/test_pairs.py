"""A seed pairs the study's arms: the Montage and the random-init detector of one seed read the same
images in the same order with the same flips, whatever else each process drew before (the initial
weights of the parts both arms share: tests/test_engine/test_hooks/test_partwise_init_hook.py)."""

import torch
from mmengine.config import Config
from mmengine.runner import Runner

from helpers import DEMO_MONTAGE_DETECTOR_CONFIG, DEMO_SCRATCH_DETECTOR_CONFIG, in_process_run


def first_batches(config: str, data_root: str, work_dir, seed: int, draws: int, batches: int = 2):
    """(img_id, flipped, image) of the first ``batches`` training batches of ``config`` seeded with
    ``seed``, after the main process drew ``draws`` more random numbers (as a random backbone's
    initialisation would)."""
    cfg = Config.fromfile(config)
    cfg.randomness = dict(seed=seed)
    cfg.train_dataloader.dataset.data_root = data_root + '/'
    cfg.model.backbone.init_cfg = None
    in_process_run(cfg, work_dir)
    runner = Runner.from_cfg(cfg)
    torch.rand(draws)
    seen = []
    for i, batch in enumerate(runner.train_dataloader):
        if i == batches:
            break
        seen += [(s.img_id, s.flip, img) for s, img in zip(batch['data_samples'], batch['inputs'])]
    return seen


def test_one_seed_gives_both_arms_the_same_images_order_and_flips(demo_root, tmp_path):
    montage = first_batches(DEMO_MONTAGE_DETECTOR_CONFIG, demo_root, tmp_path / 'montage', seed=3, draws=0)
    scratch = first_batches(DEMO_SCRATCH_DETECTOR_CONFIG, demo_root, tmp_path / 'scratch', seed=3, draws=100_000)
    other = first_batches(DEMO_SCRATCH_DETECTOR_CONFIG, demo_root, tmp_path / 'other', seed=4, draws=0)
    assert len(montage) == 16
    assert [(i, f) for i, f, _ in montage] == [(i, f) for i, f, _ in scratch]
    assert all(torch.equal(a, b) for (_, _, a), (_, _, b) in zip(montage, scratch))
    assert {f for _, f, _ in montage} == {True, False}  # flips happen, and are paired
    assert [i for i, _, _ in montage] != [i for i, _, _ in other]
