import glob
import os.path as osp
from types import SimpleNamespace

import cv2
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.runner import Runner

from mmjigsaw.engine.hooks import ERF_REFRESH_INFO, ERFUpdateHook, ERFVisualizationHook
from mmjigsaw.engine.hooks.erf_visualization_hook import thinned_columns
from mmjigsaw.models import compute_erf
from mmjigsaw.visualization import draw_erf_evolution, region_centre_positions
from helpers import tiny_pretrain_cfg


def _runner(store, work_dir, max_iters, ckpt_interval=1000, **vis):
    """The tiny demo pre-training with an ERF refresh every 2 iterations over one montage, drawn by
    ERFVisualizationHook(**vis), listed first: its priority still runs it after the refresh."""
    cfg = tiny_pretrain_cfg(store, work_dir, max_iters=max_iters, ckpt_interval=ckpt_interval)
    cfg.custom_hooks = [dict(type='ERFVisualizationHook', **vis), dict(type='ERFUpdateHook', interval=2, num_images=1)]
    return Runner.from_cfg(cfg)


def _hooks(runner):
    return tuple(next(h for h in runner.hooks if type(h).__name__ == name)
                 for name in ('ERFUpdateHook', 'ERFVisualizationHook'))


def _read_rgb(path):
    return cv2.imread(str(path))[..., ::-1]


def _local_images(work_dir):
    """{file name: RGB picture} that the visualizer's LocalVisBackend wrote under vis_image/erf/."""
    pattern = osp.join(str(work_dir), '*', 'vis_data', 'vis_image', 'erf', '*.png')
    return {osp.basename(p): _read_rgb(p) for p in glob.glob(pattern)}


def test_a_refresh_goes_to_the_visualizer_and_to_out_dir(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=0, out_dir='erf')
    runner.train()
    update, vis = _hooks(runner)
    update.refresh(runner)
    vis.add_refresh(runner)
    assert osp.isfile(tmp_path / 'erf' / 'iter_0.png')
    local = _local_images(tmp_path)
    assert sorted(local) == ['evolution_0.png', 'heatmap_0.png']
    assert (local['heatmap_0.png'] == _read_rgb(tmp_path / 'erf' / 'iter_0.png')).all()
    assert (local['evolution_0.png'] == _read_rgb(tmp_path / 'erf' / 'evolution.png')).all()
    # four panels (one per region) of the 224 canvas at zoom 2 in one row
    assert local['heatmap_0.png'].shape == (4 + 448 + 4, 4 * (448 + 4) + 4, 3)


def test_no_files_in_the_work_dir_unless_asked(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=0)
    runner.train()
    update, vis = _hooks(runner)
    update.refresh(runner)
    vis.add_refresh(runner)
    assert sorted(_local_images(tmp_path)) == ['evolution_0.png', 'heatmap_0.png']
    assert not osp.exists(tmp_path / 'erf')


def test_evolution_has_one_column_per_refresh_of_the_real_erf(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=5, ckpt_interval=5, out_dir='erf')
    runner.train()  # refreshes at iterations 0, 2 and 4
    hook, vis = _hooks(runner)
    head = runner.model.head
    positions = region_centre_positions(head.cell_region_map().numpy())
    saved = torch.load(tmp_path / 'iter_5.pth', weights_only=True)['erf_evolution']
    assert saved['iters'].tolist() == [0, 2, 4]
    assert [tuple(p) for p in saved['positions'].tolist()] == positions
    assert saved['maps'].shape == (3, 4, 112, 112) and saved['maps'].dtype == torch.float16
    regions = head.template.regions
    expected = draw_erf_evolution(saved['maps'].float().numpy(), [0, 2, 4], positions, (7, 7), regions, (224, 224))
    assert (_read_rgb(tmp_path / 'erf' / 'evolution.png') == expected).all()
    assert sorted(p.name for p in (tmp_path / 'erf').iterdir()) == ['evolution.png', 'iter_0.png', 'iter_2.png',
                                                                    'iter_4.png']

    # one more refresh (iteration 5): a fourth column, holding the shown positions' ERF now
    hook.refresh(runner)
    vis.add_refresh(runner)
    erf = compute_erf(runner.model.backbone, hook.sample_batch(runner)['inputs'])
    idx = [r * 7 + c for r, c in positions]
    want = F.interpolate(erf[idx][None], size=(112, 112), mode='area')[0]
    want = want / want.flatten(1).amax(1)[:, None, None]
    checkpoint = {}
    vis.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['erf_evolution']['iters'].tolist() == [0, 2, 4, 5]
    torch.testing.assert_close(checkpoint['erf_evolution']['maps'][-1].float(), want, atol=2e-3, rtol=0)
    assert not torch.equal(checkpoint['erf_evolution']['maps'][-1], checkpoint['erf_evolution']['maps'][0])
    assert _read_rgb(tmp_path / 'erf' / 'evolution.png').shape[1] == 56 + 4 * (112 + 4)


def test_chosen_positions_and_a_checkpoint_continue_the_evolution(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=0, positions=[[3, 3], [0, 6]])
    runner.train()
    update, vis = _hooks(runner)
    update.refresh(runner)
    vis.add_refresh(runner)
    checkpoint = {}
    vis.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['erf_evolution']['positions'].tolist() == [[3, 3], [0, 6]]
    assert checkpoint['erf_evolution']['maps'].shape == (1, 2, 112, 112)
    resumed = ERFVisualizationHook(positions=[[3, 3], [0, 6]])
    resumed.after_load_checkpoint(runner, checkpoint)
    again = {}
    resumed.before_save_checkpoint(runner, again)
    for key in ('iters', 'positions', 'maps'):
        assert torch.equal(again['erf_evolution'][key], checkpoint['erf_evolution'][key]), key


class _FakeRunner(SimpleNamespace):
    """What before_train and before_train_iter read: the model's head, the hooks, a logger."""

    def __init__(self, head, hooks=()):
        messages = []
        super().__init__(model=SimpleNamespace(head=head), hooks=list(hooks), messages=messages,
                         logger=SimpleNamespace(info=messages.append),
                         iter=0, message_hub=MessageHub.get_instance('erf_vis_test'))


class TestDisabled:

    def test_without_an_update_hook_it_says_so_and_draws_nothing(self):
        runner = _FakeRunner(SimpleNamespace(update_erf_weights=None))
        runner.message_hub.update_info(ERF_REFRESH_INFO, dict(iter=0), resumed=False)
        hook = ERFVisualizationHook()
        hook.before_train(runner)
        assert runner.messages == ['ERFVisualizationHook: no ERFUpdateHook refreshes the ERF (add '
                                   "dict(type='ERFUpdateHook') to custom_hooks); the hook draws nothing."]
        hook.before_train_iter(runner, 0)  # the refresh info is incomplete: drawing it would fail
        checkpoint = {}
        hook.before_save_checkpoint(runner, checkpoint)
        assert checkpoint == {}

    def test_a_head_without_erf_weights(self):
        update = ERFUpdateHook(interval=2)
        runner = _FakeRunner(SimpleNamespace(), hooks=[update])
        update.before_train(runner)  # runs first: priority NORMAL
        assert not update.active
        ERFVisualizationHook().before_train(runner)
        assert runner.messages[-1] == ('ERFVisualizationHook: ERFUpdateHook does nothing here (the head has no '
                                       'ERF weights); the hook draws nothing.')


class TestThinnedColumns:

    def test_all_kept_up_to_the_limit(self):
        assert thinned_columns(list(range(0, 80, 5)), 5) == list(range(16))

    def test_every_second_and_the_latest_beyond(self):
        assert thinned_columns(list(range(0, 85, 5)), 5) == [0, 2, 4, 6, 8, 10, 12, 14, 16]

    def test_bounded_and_spread_over_a_long_run(self):
        columns = []
        for it in range(0, 64000, 50):  # a refresh every 50 of 64k iterations
            columns.append(it)
            columns = [columns[i] for i in thinned_columns(columns, 50)]
            assert len(columns) <= 16
        assert len(columns) >= 8 and columns[0] == 0 and columns[-1] == 63950
        assert len({b - a for a, b in zip(columns, columns[1:-1])}) == 1  # evenly spaced, then the latest
