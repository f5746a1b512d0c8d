import os.path as osp
import socket

import torch
from mmengine.runner import Runner

from conftest import run_tool, tiny_pretrain_cfg
from mmjigsaw.models import erf_weight_table


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_refresh_leaves_no_grad_no_bn_change_and_changes_the_table(demo_store, tmp_path):
    runner = Runner.from_cfg(tiny_pretrain_cfg(demo_store, tmp_path, max_iters=0))
    runner.train()
    hook = next(h for h in runner.hooks if type(h).__name__ == 'ERFUpdateHook')
    model = runner.model
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
    assert (table[torch.arange(49), model.head.cell_region] >= 0.7 - 1e-6).all()
    assert osp.isfile(tmp_path / 'erf' / 'iter_0.png')


def test_two_gloo_ranks_with_different_data_end_with_identical_tables(demo_store, tmp_path):
    result = run_tool('-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', str(_free_port()),
                      osp.join(osp.dirname(__file__), 'dist_erf_worker.py'), str(tmp_path), demo_store)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rank0, rank1 = (torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in (0, 1))
    assert not torch.allclose(rank0['local_erf'], rank1['local_erf'])
    assert torch.equal(rank0['table'], rank1['table'])
    mean_erf = (rank0['local_erf'] + rank1['local_erf']) / 2
    regions = torch.tensor([[0, 0, 64, 64], [64, 0, 224, 64], [0, 64, 64, 224], [64, 64, 224, 224]])
    torch.testing.assert_close(rank0['table'], erf_weight_table(mean_erf, regions, (7, 7), 0.7),
                               rtol=1e-4, atol=1e-5)
