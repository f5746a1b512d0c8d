"""Warning when a schedule would show the same montages again."""
from mmengine.dist import get_world_size
from mmengine.hooks import Hook
from mmengine.runner import EpochBasedTrainLoop

from mmjigsaw.registry import HOOKS


@HOOKS.register_module()
class MontageRepeatCheckHook(Hook):
    """Before training, compare the montages the schedule draws with the montages the dataset holds.

    A montage dataset's item ``i`` is a pure function of ``(seed, i)``: samples, scale, flip and
    placement included. A schedule that draws more than ``num_montages`` items therefore shows the
    same montages again, pixel for pixel (frozen augmentation): an iteration-based schedule when its
    iterations x batch x processes exceed ``num_montages``, an epoch-based one from its second epoch.
    This warns once in the run's log (rank 0), naming both numbers and the fix; datasets without
    ``num_montages`` are not checked.
    """

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        num_montages = getattr(loader.dataset, 'num_montages', None)
        if num_montages is None:
            return
        if isinstance(runner.train_loop, EpochBasedTrainLoop):
            if runner.max_epochs > 1:
                runner.logger.warning(
                    f'the schedule runs {runner.max_epochs} epochs over a dataset of {num_montages} montages: '
                    'every epoch shows the same montages with identical augmentation. Train one epoch of '
                    f'num_montages={runner.max_epochs * num_montages} for new montages throughout.')
            return
        drawn = runner.max_iters * loader.batch_size * get_world_size()
        if drawn > num_montages:
            runner.logger.warning(
                f'the schedule draws {drawn} montages ({runner.max_iters} iterations x {loader.batch_size} x '
                f'{get_world_size()} processes) from a dataset of {num_montages}: each montage repeats about '
                f'{drawn / num_montages:.1f} times with identical augmentation. Set '
                f'train_dataloader.dataset.num_montages={drawn} for new montages throughout.')
