import pytest
import torch
from torch import nn

from mmjigsaw.models.erf import blockwise_weight_table, compute_erf, erf_weight_table, own_region_share
from mmjigsaw.structures import MontageTemplate


def _small_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.BatchNorm2d(4), nn.ReLU(),
                         nn.Conv2d(4, 5, 3, stride=2, padding=1), nn.BatchNorm2d(5), nn.ReLU(),
                         nn.Conv2d(5, 6, 3, stride=2, padding=1))


def _brute_force_erf(net, imgs):
    net.eval()
    hf, wf = net(imgs[:1]).shape[-2:]
    maps = []
    for p in range(hf * wf):
        total = torch.zeros(imgs.shape[-2:])
        for img in imgs:
            x = img[None].clone().requires_grad_(True)
            out = net(x)
            out[0, :, p // wf, p % wf].sum().backward()
            total += x.grad[0].abs().sum(0)
        maps.append(total / len(imgs))
    return torch.stack(maps)


def test_compute_erf_matches_one_position_at_a_time():
    net = _small_net()
    imgs = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    erf = compute_erf(net, imgs, max_batch=7)
    assert erf.shape == (16, 32, 32)
    torch.testing.assert_close(erf, _brute_force_erf(_small_net(), imgs), rtol=1e-5, atol=1e-6)


def test_compute_erf_leaves_no_grad_no_bn_change_and_restores_train_mode():
    net = _small_net().train()
    bn_before = {k: v.clone() for k, v in net.state_dict().items()}
    compute_erf(net, torch.randn(2, 3, 32, 32), max_batch=5)
    assert all(p.grad is None for p in net.parameters())
    for k, v in net.state_dict().items():
        assert torch.equal(v, bn_before[k]), k
    assert all(m.training for m in net.modules())


def test_compute_erf_under_autocast():
    net = _small_net()
    imgs = torch.randn(2, 3, 32, 32)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        erf = compute_erf(net, imgs)
    assert erf.dtype == torch.float32
    exact = compute_erf(net, imgs)
    assert torch.corrcoef(torch.stack([erf.flatten(), exact.flatten()]))[0, 1] > 0.95


def _regions():
    return torch.as_tensor(MontageTemplate(128, 32).regions)


def _cells():
    """(16,) regions of the 4 x 4 cells of the 128 / 32 template at stride 32."""
    return torch.as_tensor(MontageTemplate(128, 32).cell_regions(32)).flatten()


def test_weights_non_negative_sum_to_one_own_at_least_tau():
    erf = torch.rand(16, 128, 128, generator=torch.Generator().manual_seed(0))
    for tau in (0.0, 0.3, 0.7, 0.95):
        table = erf_weight_table(erf, _regions(), _cells(), tau)
        own = _cells()
        assert (table >= 0).all()
        torch.testing.assert_close(table.sum(1), torch.ones(16))
        assert (table[torch.arange(16), own] >= tau - 1e-6).all()


def test_weights_follow_equation_two():
    # position 0 (R1) with ERF mass 1 in R1, 2 in R2, 3 in R3, 4 in R4 (each a single pixel)
    erf = torch.zeros(16, 128, 128)
    erf[0, 0, 0], erf[0, 0, 100], erf[0, 100, 0], erf[0, 100, 100] = 1, 2, 3, 4
    erf[1:, 0, 0] = 1
    table = erf_weight_table(erf, _regions(), _cells(), tau=0.7)
    # share of R1 is 0.1 < tau: own weight 0.7, the rest split 2:3:4 of 0.3
    torch.testing.assert_close(table[0], torch.tensor([0.7, 0.3 * 2 / 9, 0.3 * 3 / 9, 0.3 * 4 / 9]))
    table = erf_weight_table(erf, _regions(), _cells(), tau=0.05)
    torch.testing.assert_close(table[0], torch.tensor([0.1, 0.2, 0.3, 0.4]))
    share = own_region_share(erf, _regions(), _cells())
    assert share[0].item() == pytest.approx(0.1)


def test_tau_one_gives_exactly_the_blockwise_labels():
    erf = torch.rand(16, 128, 128)
    table = erf_weight_table(erf, _regions(), _cells(), tau=1.0)
    assert torch.equal(table, blockwise_weight_table(_cells()))


def test_an_erf_entirely_inside_its_own_region_keeps_all_weight_on_its_label():
    """No ERF mass outside the own region: nothing to spread (and no 0/0), the row is one-hot; the
    same for a position with no ERF at all (position 0: a dead feature)."""
    erf = torch.zeros(16, 128, 128)
    regions = _regions()
    for p, r in list(enumerate(_cells().tolist()))[1:]:
        x1, y1, x2, y2 = regions[r].tolist()
        erf[p, y1:y2, x1:x2] = torch.rand(y2 - y1, x2 - x1, generator=torch.Generator().manual_seed(p))
    for tau in (0.0, 0.7):
        table = erf_weight_table(erf, regions, _cells(), tau)
        assert torch.equal(table, blockwise_weight_table(_cells()))
