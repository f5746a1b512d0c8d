"""Warning when a schedule would show the same montages again."""
import warnings

from mmengine.dist import get_world_size
from mmengine.hooks import Hook

from mmjigsaw.registry import HOOKS


@HOOKS.register_module()
class MontageRepeatCheckHook(Hook):
    """Before training, compare the montages the schedule draws with the montages the dataset holds.

    A montage dataset's item ``i`` is a pure function of ``(seed, i)``: samples, scale, flip and
    placement included. A schedule that draws more than ``num_montages`` items therefore shows the
    same montages again, pixel for pixel (frozen augmentation). This warns once, naming both numbers
    and the fix; datasets without ``num_montages`` are not checked.
    """

    def before_train(self, runner) -> None:
        loader = runner.train_dataloader
        num_montages = getattr(loader.dataset, 'num_montages', None)
        if num_montages is None:
            return
        drawn = runner.max_iters * loader.batch_size * get_world_size()
        if drawn > num_montages:
            warnings.warn(f'the schedule draws {drawn} montages ({runner.max_iters} iterations x '
                          f'{loader.batch_size} x {get_world_size()} processes) from a dataset of '
                          f'{num_montages}: each montage repeats about {drawn / num_montages:.1f} times with '
                          f'identical augmentation. Set train_dataloader.dataset.num_montages={drawn} for '
                          'new montages throughout.')
