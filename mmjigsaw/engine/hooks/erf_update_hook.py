"""Refreshing the dense head's ERF weight table during training (docs/method.md §4-5)."""
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from mmengine.dataset import pseudo_collate
from mmengine.dist import all_reduce, get_dist_info
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmjigsaw.models import compute_erf
from mmjigsaw.registry import HOOKS
from mmjigsaw.visualization import draw_erf_evolution, draw_erf_over_batch, region_centre_positions, save_rgb_png

#: The ERF evolution keeps each position's map at 1/EVOLUTION_SHRINK of the canvas side (112 px of 224),
#: scaled to its maximum, in float16: about 100 KB per refresh in a checkpoint for four positions.
EVOLUTION_SHRINK = 2
#: Columns of the ERF evolution at most (see :func:`thinned_columns`), so a run with frequent refreshes
#: keeps a picture and checkpoints of bounded size.
EVOLUTION_MAX_COLUMNS = 16


def thinned_columns(iters: Sequence[int], interval: int, max_columns: int = EVOLUTION_MAX_COLUMNS) -> List[int]:
    """Indices of the evolution columns to keep, given the refresh iterations ``iters`` (ascending):
    the latest, and before it the refreshes ``k * interval`` with ``k`` a multiple of ``stride``, the
    smallest power of two that leaves at most ``max_columns`` columns. ``stride`` only grows as the
    run goes on, so the columns stay evenly spread over it."""
    latest = iters[-1] // interval
    stride = 1
    while -(-latest // stride) + 1 > max_columns:  # the multiples of stride below latest, and latest
        stride *= 2
    return [i for i, it in enumerate(iters[:-1]) if (it // interval) % stride == 0] + [len(iters) - 1]


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
    ``train/erf_own_share`` (mean share of a position's ERF inside its own region).

    Pictures, on rank 0 at each refresh when ``save_heatmaps``: the ERF of ``heatmap_positions``
    over the first sampled montage, and the ERF evolution of the same positions (one row per
    position, one column per refresh so far). Both go to the runner's visualizer as the images
    ``erf/heatmap`` and ``erf/evolution`` at step N (TensorBoard, W&B, MLflow, ... whichever
    backends the config names) and to the work dir as ``erf/iter_{N}.png`` and
    ``erf/evolution.png`` (rewritten). The evolution's maps are saved in checkpoints, so a resumed
    run continues the same picture.

    Args:
        interval: iterations between refreshes (paper: 5,000).
        num_images: montages per rank per refresh.
        max_batch: (image, position) pairs per backward pass.
        save_heatmaps: draw the pictures.
        heatmap_positions: feature positions (row, col) shown in the pictures; by default one
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
        self._evolution_iters: List[int] = []
        self._evolution_maps: List[torch.Tensor] = []  # (P, h, w) float16 per refresh
        self._evolution_positions: Optional[List[Tuple[int, int]]] = None

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def before_train(self, runner) -> None:
        head = getattr(self._model(runner), 'head', None)
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
        own_weight = head.own_label_weight()
        own_share = head.own_region_share(erf).mean().item()
        runner.message_hub.update_scalar('train/erf_own_weight', own_weight)
        runner.message_hub.update_scalar('train/erf_own_share', own_share)
        runner.logger.info(f'ERFUpdateHook: iter {runner.iter}: ERF table refreshed over '
                           f'{len(data["inputs"])} montages x {world_size} ranks; mean own-region '
                           f'weight {own_weight:.3f}, mean own-region ERF share {own_share:.3f}')
        if self.save_heatmaps:
            self._record_evolution(runner, erf, head)
            if get_dist_info()[0] == 0:
                self._draw(runner, erf, head, data)
        return table

    def _positions(self, head) -> List[Tuple[int, int]]:
        if self.heatmap_positions is not None:
            return [tuple(int(v) for v in p) for p in self.heatmap_positions]
        return region_centre_positions(head.cell_region_map().cpu().numpy())

    def _record_evolution(self, runner, erf: torch.Tensor, head) -> None:
        """Keep this refresh's maps of the shown positions, shrunk and scaled to their maximum."""
        positions = self._positions(head)
        if positions != self._evolution_positions:  # first refresh, or other positions after a resume
            if self._evolution_positions is not None:
                runner.logger.info(f'ERFUpdateHook: the ERF evolution restarts: positions {positions} '
                                   f'instead of the checkpoint\'s {self._evolution_positions}')
            self._evolution_iters, self._evolution_maps, self._evolution_positions = [], [], positions
        # a resumed run repeats the refreshes after its checkpoint: keep only the earlier ones
        keep = [i for i, it in enumerate(self._evolution_iters) if it < runner.iter]
        self._evolution_iters = [self._evolution_iters[i] for i in keep]
        self._evolution_maps = [self._evolution_maps[i] for i in keep]
        h, w = erf.shape[-2:]
        idx = torch.tensor([r * head.feature_shape[1] + c for r, c in positions], device=erf.device)
        maps = F.interpolate(erf[idx][None].float(), size=(h // EVOLUTION_SHRINK, w // EVOLUTION_SHRINK),
                             mode='area')[0]
        maps = maps / maps.flatten(1).amax(1).clamp_min(1e-30)[:, None, None]
        self._evolution_iters.append(runner.iter)
        self._evolution_maps.append(maps.half().cpu())
        keep = thinned_columns(self._evolution_iters, self.interval)
        self._evolution_iters = [self._evolution_iters[i] for i in keep]
        self._evolution_maps = [self._evolution_maps[i] for i in keep]

    def _draw(self, runner, erf: torch.Tensor, head, data) -> None:
        classes = runner.train_dataloader.dataset.metainfo.get('classes')
        heatmap = draw_erf_over_batch(erf.cpu().numpy(), head, self._model(runner).data_preprocessor, data,
                                      classes, self._positions(head))
        evolution = draw_erf_evolution(torch.stack(self._evolution_maps).float().numpy(), self._evolution_iters,
                                       self._evolution_positions, head.feature_shape, head.template.regions,
                                       tuple(erf.shape[-2:]))
        runner.visualizer.add_image('erf/heatmap', heatmap, step=runner.iter)
        runner.visualizer.add_image('erf/evolution', evolution, step=runner.iter)
        folder = osp.join(runner.work_dir, 'erf')
        os.makedirs(folder, exist_ok=True)
        save_rgb_png(osp.join(folder, f'iter_{runner.iter}.png'), heatmap)
        save_rgb_png(osp.join(folder, 'evolution.png'), evolution)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        if self._evolution_iters:
            checkpoint['erf_evolution'] = dict(iters=torch.tensor(self._evolution_iters),
                                               positions=torch.tensor(self._evolution_positions),
                                               maps=torch.stack(self._evolution_maps))

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        saved = checkpoint.get('erf_evolution')
        if saved is not None:
            self._evolution_iters = saved['iters'].tolist()
            self._evolution_positions = [tuple(p) for p in saved['positions'].tolist()]
            self._evolution_maps = list(saved['maps'])
