"""Pictures of the ERF at each refresh of :class:`ERFUpdateHook`: its heat maps and their evolution."""
import os
import os.path as osp
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.dist import get_dist_info
from mmengine.hooks import Hook

from mmjigsaw.registry import HOOKS
from mmjigsaw.visualization import draw_erf_evolution, draw_erf_grid, region_centre_positions, save_rgb_png
from ..distributed import unwrapped_model
from .erf_update_hook import ERF_REFRESH_INFO, ERFUpdateHook

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
class ERFVisualizationHook(Hook):
    """Draw each ERF refresh of :class:`ERFUpdateHook` through the runner's visualizer.

    Two pictures at each refresh, on rank 0, as the visualizer's images ``erf/heatmap`` and
    ``erf/evolution`` at step N (TensorBoard, W&B, MLflow, local PNGs: whichever backends the
    config names): the ERF of ``positions`` over the first montage of the refresh, and the ERF
    evolution of the same positions (one row per position, one column per refresh so far, thinned
    to at most :data:`EVOLUTION_MAX_COLUMNS`). The evolution's maps are saved in checkpoints
    (``erf_evolution``), so a resumed run continues the same picture.

    It reads the refresh that :class:`ERFUpdateHook` leaves in the message hub
    (:data:`ERF_REFRESH_INFO`) and runs after it in the same ``before_train_iter`` (priority LOW);
    without an active ``ERFUpdateHook`` (none, or a head without ERF weights) it says so once and
    does nothing.

    Args:
        positions: feature positions (row, col) to show; by default one in each region (the middle
            cell of each).
        out_dir: also write the pictures as PNGs under this folder (relative to the work dir, e.g.
            ``'erf'``): ``iter_{N}.png`` (the heat maps) and ``evolution.png`` (rewritten at each
            refresh). ``None``: the visualizer's backends only.
    """

    priority = 'LOW'  # after ERFUpdateHook (NORMAL) in the same before_train_iter

    def __init__(self, positions: Optional[Sequence[Sequence[int]]] = None, out_dir: Optional[str] = None):
        self.positions = None if positions is None else [tuple(int(v) for v in p) for p in positions]
        self.out_dir = out_dir
        self._disabled = False
        self._evolution_iters: List[int] = []
        self._evolution_maps: List[torch.Tensor] = []  # (P, h, w) float16 per refresh
        self._evolution_positions: Optional[List[Tuple[int, int]]] = None

    def before_train(self, runner) -> None:
        update = next((h for h in runner.hooks if isinstance(h, ERFUpdateHook)), None)
        if update is None:
            reason = "no ERFUpdateHook refreshes the ERF (add dict(type='ERFUpdateHook') to custom_hooks)"
        elif not update.active:  # its before_train ran first (priority NORMAL)
            reason = 'ERFUpdateHook does nothing here (the head has no ERF weights)'
        else:
            return
        self._disabled = True
        runner.logger.info(f'ERFVisualizationHook: {reason}; the hook draws nothing.')

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        refresh = runner.message_hub.get_info(ERF_REFRESH_INFO)
        if not self._disabled and refresh is not None and refresh['iter'] == runner.iter:
            self.add_refresh(runner)

    def add_refresh(self, runner) -> None:
        """Add the latest refresh (:data:`ERF_REFRESH_INFO`) to the evolution and, on rank 0, draw
        both pictures."""
        refresh = runner.message_hub.get_info(ERF_REFRESH_INFO)
        if refresh is None:
            raise RuntimeError('ERFVisualizationHook: no ERF refresh to draw; ERFUpdateHook.refresh() leaves one.')
        head = unwrapped_model(runner).head
        self._record_evolution(runner, refresh, head)
        if get_dist_info()[0] == 0:
            self._draw(runner, refresh, head)

    def _positions(self, head) -> List[Tuple[int, int]]:
        if self.positions is not None:
            return list(self.positions)
        return region_centre_positions(head.cell_region_map().cpu().numpy())

    def _record_evolution(self, runner, refresh: dict, head) -> None:
        """Keep this refresh's maps of the shown positions, shrunk and scaled to their maximum."""
        positions, erf, step = self._positions(head), refresh['erf'], refresh['iter']
        if positions != self._evolution_positions:  # first refresh, or other positions after a resume
            if self._evolution_positions is not None:
                runner.logger.info(f'ERFVisualizationHook: the ERF evolution restarts: positions {positions} '
                                   f'instead of the checkpoint\'s {self._evolution_positions}')
            self._evolution_iters, self._evolution_maps, self._evolution_positions = [], [], positions
        # a resumed run repeats the refreshes after its checkpoint: keep only the earlier ones
        keep = [i for i, it in enumerate(self._evolution_iters) if it < step]
        self._evolution_iters = [self._evolution_iters[i] for i in keep]
        self._evolution_maps = [self._evolution_maps[i] for i in keep]
        h, w = erf.shape[-2:]
        idx = torch.tensor([r * head.feature_shape[1] + c for r, c in positions], device=erf.device)
        maps = F.interpolate(erf[idx][None].float(), size=(h // EVOLUTION_SHRINK, w // EVOLUTION_SHRINK),
                             mode='area')[0]
        maps = maps / maps.flatten(1).amax(1).clamp_min(1e-30)[:, None, None]
        self._evolution_iters.append(step)
        self._evolution_maps.append(maps.half().cpu())
        keep = thinned_columns(self._evolution_iters, refresh['interval'])
        self._evolution_iters = [self._evolution_iters[i] for i in keep]
        self._evolution_maps = [self._evolution_maps[i] for i in keep]

    def _draw(self, runner, refresh: dict, head) -> None:
        erf, data, step = refresh['erf'], refresh['data'], refresh['iter']
        montage = unwrapped_model(runner).data_preprocessor.to_uint8_images(data['inputs'][:1])[0]
        labels = data['data_samples'][0].gt_region_labels.tolist()
        classes = runner.train_dataloader.dataset.metainfo.get('classes')
        heatmap = draw_erf_grid(erf.cpu().numpy(), self._evolution_positions, head.feature_shape,
                                head.template.regions, montage, labels, classes)
        evolution = draw_erf_evolution(torch.stack(self._evolution_maps).float().numpy(), self._evolution_iters,
                                       self._evolution_positions, head.feature_shape, head.template.regions,
                                       tuple(erf.shape[-2:]))
        runner.visualizer.add_image('erf/heatmap', heatmap, step=step)
        runner.visualizer.add_image('erf/evolution', evolution, step=step)
        if self.out_dir is not None:
            folder = osp.join(runner.work_dir, self.out_dir)
            os.makedirs(folder, exist_ok=True)
            save_rgb_png(osp.join(folder, f'iter_{step}.png'), heatmap)
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
