import os.path as osp
import socket

import cv2
import pytest
import torch
import torch.nn.functional as F
from mmengine.runner import Runner

from mmjigsaw.engine.hooks.erf_update_hook import thinned_columns
from mmjigsaw.models import compute_erf, erf_weight_table
from mmjigsaw.visualization import draw_erf_evolution, region_centre_positions
from helpers import run_tool, tiny_pretrain_cfg


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_refresh_leaves_no_grad_no_bn_change_and_changes_the_table(demo_store, tmp_path):
    runner = Runner.from_cfg(tiny_pretrain_cfg(demo_store, tmp_path, max_iters=0))
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
    assert osp.isfile(tmp_path / 'erf' / 'iter_0.png')


def _read_rgb(path):
    return cv2.imread(str(path))[..., ::-1]


def test_evolution_has_one_column_per_refresh_of_the_real_erf(demo_store, tmp_path):
    runner = Runner.from_cfg(tiny_pretrain_cfg(demo_store, tmp_path, max_iters=5, ckpt_interval=5))
    runner.train()  # refreshes at iterations 0, 2 and 4
    hook = next(h for h in runner.hooks if type(h).__name__ == 'ERFUpdateHook')
    head = runner.model.head
    positions = region_centre_positions(head.cell_region_map().numpy())
    saved = torch.load(tmp_path / 'iter_5.pth', weights_only=True)['erf_evolution']
    assert saved['iters'].tolist() == [0, 2, 4]
    assert [tuple(p) for p in saved['positions'].tolist()] == positions
    assert saved['maps'].shape == (3, 4, 112, 112) and saved['maps'].dtype == torch.float16
    regions = head.template.regions
    expected = draw_erf_evolution(saved['maps'].float().numpy(), [0, 2, 4], positions, (7, 7), regions, (224, 224))
    assert (_read_rgb(tmp_path / 'erf' / 'evolution.png') == expected).all()

    # one more refresh (iteration 5): a fourth column, holding the shown positions' ERF now
    hook.refresh(runner)
    erf = compute_erf(runner.model.backbone, hook.sample_batch(runner)['inputs'])
    idx = [r * 7 + c for r, c in positions]
    want = F.interpolate(erf[idx][None], size=(112, 112), mode='area')[0]
    want = want / want.flatten(1).amax(1)[:, None, None]
    checkpoint = {}
    hook.before_save_checkpoint(runner, checkpoint)
    assert checkpoint['erf_evolution']['iters'].tolist() == [0, 2, 4, 5]
    torch.testing.assert_close(checkpoint['erf_evolution']['maps'][-1].float(), want, atol=2e-3, rtol=0)
    assert not torch.equal(checkpoint['erf_evolution']['maps'][-1], checkpoint['erf_evolution']['maps'][0])
    assert _read_rgb(tmp_path / 'erf' / 'evolution.png').shape[1] == 56 + 4 * (112 + 4)


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


@pytest.mark.slow
def test_two_gloo_ranks_with_different_data_end_with_identical_tables(demo_store, tmp_path):
    result = run_tool('-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(_free_port()),
                      osp.join(osp.dirname(__file__), 'dist_erf_worker.py'), str(tmp_path), demo_store)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rank0, rank1 = (torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in (0, 1))
    assert not torch.allclose(rank0['local_erf'], rank1['local_erf'])
    assert torch.equal(rank0['table'], rank1['table'])
    mean_erf = (rank0['local_erf'] + rank1['local_erf']) / 2
    regions = torch.tensor([[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]])
    cells = torch.tensor([[0, 0, 1, 1, 1, 1, 1]] * 2 + [[2, 2, 3, 3, 3, 3, 3]] * 5).flatten()
    torch.testing.assert_close(rank0['table'], erf_weight_table(mean_erf, regions, cells, 0.7),
                               rtol=1e-4, atol=1e-5)
