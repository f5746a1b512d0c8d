import warnings

import pytest
from mmengine.runner import Runner

from helpers import tiny_pretrain_cfg


@pytest.mark.parametrize('num_montages, repeats', [(3, True), (8, False)])
def test_warns_when_the_schedule_draws_more_montages_than_the_dataset_holds(demo_store, tmp_path, num_montages,
                                                                            repeats):
    cfg = tiny_pretrain_cfg(demo_store, tmp_path, max_iters=2)  # 2 iterations x 4 montages
    cfg.train_dataloader.dataset.num_montages = num_montages
    runner = Runner.from_cfg(cfg)
    runner.train_loop  # built on first use: the schedule
    hook = next(h for h in runner.hooks if type(h).__name__ == 'MontageRepeatCheckHook')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        hook.before_train(runner)
    messages = [str(w.message) for w in caught if 'montages' in str(w.message)]
    if repeats:
        assert len(messages) == 1
        assert 'draws 8 montages' in messages[0] and f'dataset of {num_montages}' in messages[0]
        assert 'num_montages=8' in messages[0]
    else:
        assert not messages
