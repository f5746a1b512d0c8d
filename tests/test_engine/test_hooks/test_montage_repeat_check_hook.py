"""MontageRepeatCheckHook: one warning in the run's log when the schedule repeats montages, none otherwise."""
import logging

import pytest
from mmengine.runner import Runner

from helpers import tiny_pretrain_cfg


def _warnings_before_train(cfg):
    runner = Runner.from_cfg(cfg)
    runner.train_loop  # built on first use: the schedule
    hook = next(h for h in runner.hooks if type(h).__name__ == 'MontageRepeatCheckHook')
    caught = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = caught.append
    runner.logger.addHandler(handler)
    try:
        hook.before_train(runner)
    finally:
        runner.logger.removeHandler(handler)
    return [r.getMessage() for r in caught if 'montages' in r.getMessage()]


@pytest.mark.parametrize('num_montages, repeats', [(3, True), (8, False)])
def test_iteration_schedule_drawing_more_montages_than_the_dataset_holds(demo_store, tmp_path, num_montages,
                                                                         repeats):
    cfg = tiny_pretrain_cfg(demo_store, tmp_path, max_iters=2)  # 2 iterations x 4 montages
    cfg.train_dataloader.dataset.num_montages = num_montages
    messages = _warnings_before_train(cfg)
    if repeats:
        assert len(messages) == 1
        assert 'draws 8 montages' in messages[0] and f'dataset of {num_montages}' in messages[0]
        assert 'num_montages=8' in messages[0]
    else:
        assert not messages


@pytest.mark.parametrize('max_epochs, repeats', [(1, False), (3, True)])
def test_epoch_schedule_repeats_from_its_second_epoch(demo_store, tmp_path, max_epochs, repeats):
    cfg = tiny_pretrain_cfg(demo_store, tmp_path, max_iters=2)
    cfg.train_dataloader.dataset.num_montages = 10  # 3 batches of 4, the last one short: still one pass
    cfg.train_dataloader.sampler = dict(type='DefaultSampler', shuffle=True)
    cfg.train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs)
    cfg.param_scheduler = None
    messages = _warnings_before_train(cfg)
    if repeats:
        assert len(messages) == 1
        assert f'{max_epochs} epochs over a dataset of 10 montages' in messages[0]
        assert f'num_montages={max_epochs * 10}' in messages[0]
    else:
        assert not messages
