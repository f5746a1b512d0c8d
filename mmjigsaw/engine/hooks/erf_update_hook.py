"""Refreshing the dense head's ERF weight table during training (docs/method.md §4-5)."""
import warnings
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook

from mmjigsaw.models import compute_erf
from mmjigsaw.registry import HOOKS
from ..distributed import unwrapped_model

#: Runtime-info key of the latest refresh in the runner's message hub, for hooks that draw it
#: (:class:`ERFVisualizationHook`): ``dict(iter, interval, erf, data)``, ``erf`` the (P, H, W) maps
#: averaged over ranks and ``data`` the preprocessed montages they were computed on. Not saved in
#: checkpoints.
ERF_REFRESH_INFO = 'erf_refresh'


@HOOKS.register_module()
class ERFUpdateHook(Hook):
    """Recompute ``DenseERFHead.erf_weights`` from the network's current ERF.

    Fires before the first training iteration and then before every iteration that is a multiple
    of ``interval`` (so a resumed run refreshes exactly where an uninterrupted one would; between
    refreshes the table comes from the checkpoint). Each rank computes the ERF over
    ``num_images`` training montages of its own, the maps are averaged over ranks with an
    all-reduce, and every rank builds the same table. Montages are drawn by index from the
    training dataset with a generator seeded by ``(seed, iteration, rank)``, so the refresh does
    not touch the training data stream or any global random state.

    Logged to the message hub, so every visualizer backend (TensorBoard, ...) draws them as
    curves: ``train/erf_own_weight`` (mean weight of a position's own label) and
    ``train/erf_own_share`` (mean share of a position's ERF inside its own region). The refresh's
    ERF maps and montages are left in the message hub's runtime info under
    :data:`ERF_REFRESH_INFO`; :class:`ERFVisualizationHook` draws them.

    Args:
        interval: iterations between refreshes (paper: 5,000).
        num_images: montages per rank per refresh.
        max_batch: (image, position) pairs per backward pass.
        save_heatmaps: deprecated; the pictures are :class:`ERFVisualizationHook`'s. ``False`` is
            accepted as it is (this hook draws nothing); ``True`` warns.
        heatmap_positions: deprecated: ``ERFVisualizationHook(positions=...)``; warns.
        seed: seed of the montage choice.
    """

    def __init__(self, interval: int = 5000, num_images: int = 8, max_batch: int = 64,
                 save_heatmaps: Optional[bool] = None, heatmap_positions: Optional[Sequence] = None, seed: int = 0):
        if interval < 1:
            raise ValueError(f'ERFUpdateHook: interval={interval} must be at least 1.')
        if save_heatmaps or heatmap_positions is not None:
            warnings.warn('ERFUpdateHook no longer draws the ERF pictures (save_heatmaps, heatmap_positions): '
                          "add dict(type='ERFVisualizationHook', positions=..., out_dir='erf') to custom_hooks.")
        self.interval = interval
        self.num_images = num_images
        self.max_batch = max_batch
        self.seed = seed
        self._disabled = False

    @property
    def active(self) -> bool:
        """False once ``before_train`` found a head without ERF weights: the hook does nothing."""
        return not self._disabled

    def before_train(self, runner) -> None:
        head = getattr(unwrapped_model(runner), 'head', None)
        if not hasattr(head, 'update_erf_weights'):
            self._disabled = True
            runner.logger.info(f'ERFUpdateHook: the head {type(head).__name__} has no ERF weights; '
                               'the hook does nothing.')
        else:
            head.erf_refresh_scheduled = True

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self._disabled and runner.iter % self.interval == 0:
            self.refresh(runner)

    def sample_batch(self, runner) -> Dict:
        """``num_images`` training montages through the data preprocessor: ``inputs`` normalised
        on the model's device, and their ``data_samples``."""
        model = unwrapped_model(runner)
        dataset = runner.train_dataloader.dataset
        rank, _ = get_dist_info()
        rng = np.random.default_rng([self.seed, runner.iter, rank])
        indices = rng.choice(len(dataset), size=min(self.num_images, len(dataset)), replace=False)
        batch = pseudo_collate([dataset[int(i)] for i in indices])
        return model.data_preprocessor(batch, training=False)

    @torch.no_grad()
    def refresh(self, runner) -> torch.Tensor:
        """Recompute the table on every rank; returns it."""
        model = unwrapped_model(runner)
        data = self.sample_batch(runner)
        with runner.optim_wrapper.optim_context(model):
            erf = compute_erf(model.backbone, data['inputs'], self.max_batch)
        _, world_size = get_dist_info()
        if world_size > 1:
            all_reduce(erf, op='mean')
        head = model.head
        table = head.update_erf_weights(erf)
        own_weight = head.own_label_weight()
        own_share = head.own_region_share(erf).mean().item()
        runner.message_hub.update_scalar('train/erf_own_weight', own_weight)
        runner.message_hub.update_scalar('train/erf_own_share', own_share)
        runner.message_hub.update_info(ERF_REFRESH_INFO, dict(iter=runner.iter, interval=self.interval, erf=erf,
                                                              data=data), resumed=False)
        runner.logger.info(f'ERFUpdateHook: iter {runner.iter}: ERF table refreshed over '
                           f'{len(data["inputs"])} montages x {world_size} ranks; mean own-region '
                           f'weight {own_weight:.3f}, mean own-region ERF share {own_share:.3f}')
        return table
