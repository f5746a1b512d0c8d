"""Refreshing the dense head's ERF weight table during training (method.md §4-5)."""
import os
import os.path as osp
from typing import Dict, Optional, Sequence

import numpy as np
import torch
from mmengine.dist import all_reduce, get_dist_info
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmjigsaw.models.erf import compute_erf, own_region_share
from mmjigsaw.registry import HOOKS
from mmjigsaw.visualization import draw_erf_over_batch, save_rgb_png


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

    Logged to the message hub: ``train/erf_own_weight`` (mean weight of a position's own label)
    and ``train/erf_own_share`` (mean share of a position's ERF inside its own region).

    Args:
        interval: iterations between refreshes (paper: 5,000).
        num_images: montages per rank per refresh.
        max_batch: (image, position) pairs per backward pass.
        save_heatmaps: write ``erf/iter_{N}.png`` into the work dir on rank 0 at each refresh.
        heatmap_positions: feature positions (row, col) shown in the heat maps; by default one
            position in each region.
        seed: seed of the montage choice.
    """

    def __init__(self, interval: int = 5000, num_images: int = 8, max_batch: int = 64,
                 save_heatmaps: bool = True, heatmap_positions: Optional[Sequence] = None, seed: int = 0):
        if interval < 1:
            raise ValueError(f'ERFUpdateHook: interval={interval} must be at least 1.')
        self.interval = interval
        self.num_images = num_images
        self.max_batch = max_batch
        self.save_heatmaps = save_heatmaps
        self.heatmap_positions = heatmap_positions
        self.seed = seed
        self._disabled = False

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def before_train(self, runner) -> None:
        head = getattr(self._model(runner), 'head', None)
        if not hasattr(head, 'update_erf_weights'):
            self._disabled = True
            runner.logger.info(f'ERFUpdateHook: the head {type(head).__name__} has no ERF weights; '
                               'the hook does nothing.')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        if not self._disabled and runner.iter % self.interval == 0:
            self.refresh(runner)

    def sample_batch(self, runner) -> Dict:
        """``num_images`` training montages through the data preprocessor: ``inputs`` normalised
        on the model's device, and their ``data_samples``."""
        model = self._model(runner)
        dataset = runner.train_dataloader.dataset
        rank, _ = get_dist_info()
        rng = np.random.default_rng([self.seed, runner.iter, rank])
        indices = rng.choice(len(dataset), size=min(self.num_images, len(dataset)), replace=False)
        batch = pseudo_collate([dataset[int(i)] for i in indices])
        return model.data_preprocessor(batch, training=False)

    @torch.no_grad()
    def refresh(self, runner) -> torch.Tensor:
        """Recompute the table on every rank; returns it."""
        model = self._model(runner)
        data = self.sample_batch(runner)
        with runner.optim_wrapper.optim_context(model):
            erf = compute_erf(model.backbone, data['inputs'], self.max_batch)
        _, world_size = get_dist_info()
        if world_size > 1:
            all_reduce(erf, op='mean')
        head = model.head
        table = head.update_erf_weights(erf)
        own_weight = table[torch.arange(len(table), device=table.device), head.cell_region].mean().item()
        own_share = own_region_share(erf, head.region_regions, head.feat_hw).mean().item()
        runner.message_hub.update_scalar('train/erf_own_weight', own_weight)
        runner.message_hub.update_scalar('train/erf_own_share', own_share)
        runner.logger.info(f'ERFUpdateHook: iter {runner.iter}: ERF table refreshed over '
                           f'{len(data["inputs"])} montages x {world_size} ranks; mean own-region '
                           f'weight {own_weight:.3f}, mean own-region ERF share {own_share:.3f}')
        if self.save_heatmaps and get_dist_info()[0] == 0:
            self._save_heatmap(runner, erf, head, data)
        return table

    def _save_heatmap(self, runner, erf, head, data) -> None:
        classes = runner.train_dataloader.dataset.metainfo.get('classes')
        picture = draw_erf_over_batch(erf.cpu().numpy(), head, self._model(runner).data_preprocessor, data,
                                      classes, self.heatmap_positions)
        folder = osp.join(runner.work_dir, 'erf')
        os.makedirs(folder, exist_ok=True)
        save_rgb_png(osp.join(folder, f'iter_{runner.iter}.png'), picture)
