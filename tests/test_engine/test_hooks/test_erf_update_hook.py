import os
import os.path as osp
import socket

import pytest
import torch
from mmengine.runner import Runner

from mmjigsaw.engine.hooks import ERF_REFRESH_INFO, ERFUpdateHook
from mmjigsaw.models import compute_erf, erf_weight_table
from helpers import run_tool, tiny_pretrain_cfg


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _runner(store, work_dir, max_iters):
    """The tiny demo pre-training with the ERF refresh alone: every 2 iterations over one montage."""
    cfg = tiny_pretrain_cfg(store, work_dir, max_iters=max_iters)
    cfg.custom_hooks = [dict(type='ERFUpdateHook', interval=2, num_images=1)]
    return Runner.from_cfg(cfg)


def test_refresh_leaves_no_grad_no_bn_change_and_changes_the_table(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=0)
    runner.train()
    hook = next(h for h in runner.hooks if type(h).__name__ == 'ERFUpdateHook')
    model = runner.model
    assert model.head.erf_refresh_scheduled  # so the head does not warn that nothing refreshes it
    model.train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    table = hook.refresh(runner)
    assert all(p.grad is None for p in model.parameters())
    after = model.state_dict()
    for key, value in before.items():
        if key != 'head.erf_weights':
            assert torch.equal(value, after[key]), key
    assert not torch.equal(before['head.erf_weights'], table)
    assert model.training and all(m.training for m in model.backbone.modules())
    torch.testing.assert_close(table.sum(1), torch.ones(49))
    assert (table[torch.arange(49), model.head.cell_regions] >= 0.7 - 1e-6).all()
    assert not osp.exists(tmp_path / 'erf')  # pictures are ERFVisualizationHook's, files only when asked


def test_refresh_leaves_its_erf_and_montages_in_the_message_hub(demo_store, tmp_path):
    runner = _runner(demo_store, tmp_path, max_iters=0)
    runner.train()
    hook = next(h for h in runner.hooks if type(h).__name__ == 'ERFUpdateHook')
    assert runner.message_hub.get_info(ERF_REFRESH_INFO) is None
    table = hook.refresh(runner)
    refresh = runner.message_hub.get_info(ERF_REFRESH_INFO)
    assert refresh['iter'] == 0 and refresh['interval'] == 2
    assert refresh['erf'].shape == (49, 224, 224) and refresh['data']['inputs'].shape == (1, 3, 224, 224)
    # the maps are those of the montages it holds, and the table is built from them
    torch.testing.assert_close(refresh['erf'], compute_erf(runner.model.backbone, refresh['data']['inputs']))
    head = runner.model.head
    torch.testing.assert_close(table, erf_weight_table(refresh['erf'], head.regions, head.cell_regions, head.tau))
    # runtime info that checkpoints leave out (about 10 MB of maps)
    assert ERF_REFRESH_INFO not in runner.message_hub.state_dict()['runtime_info']


class TestDeprecatedPictureArguments:

    def test_save_heatmaps_false_is_accepted_silently(self, recwarn):
        ERFUpdateHook(interval=5, save_heatmaps=False)
        assert not [w for w in recwarn if 'ERFVisualizationHook' in str(w.message)]

    @pytest.mark.parametrize('kwargs', [dict(save_heatmaps=True), dict(heatmap_positions=[(0, 0)])])
    def test_picture_arguments_point_to_the_visualization_hook(self, kwargs):
        with pytest.warns(UserWarning, match="dict\\(type='ERFVisualizationHook'"):
            ERFUpdateHook(interval=5, **kwargs)


@pytest.mark.slow
def test_two_gloo_ranks_with_different_data_end_with_identical_tables(demo_store, tmp_path):
    tests_dir = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tests_dir, os.environ.get('PYTHONPATH')])))
    result = run_tool('-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(_free_port()),
                      osp.join(osp.dirname(__file__), 'dist_erf_worker.py'), str(tmp_path), demo_store, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rank0, rank1 = (torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in (0, 1))
    assert not torch.allclose(rank0['local_erf'], rank1['local_erf'])
    assert torch.equal(rank0['table'], rank1['table'])
    mean_erf = (rank0['local_erf'] + rank1['local_erf']) / 2
    regions = torch.tensor([[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]])
    cells = torch.tensor([[0, 0, 1, 1, 1, 1, 1]] * 2 + [[2, 2, 3, 3, 3, 3, 3]] * 5).flatten()
    torch.testing.assert_close(rank0['table'], erf_weight_table(mean_erf, regions, cells, 0.7),
                               rtol=1e-4, atol=1e-5)
