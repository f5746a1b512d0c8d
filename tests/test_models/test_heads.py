import math

import pytest
import torch

from mmjigsaw.errors import ConfigError
from mmjigsaw.models.heads import BlockwiseClsHead, DenseERFHead, GlobalClsHead
from mmjigsaw.structures import JigsawDataSample

# a 128 px canvas cut at 32 with stride 32: a 4x4 map, R1 = 1 cell, R2 = 3, R3 = 3, R4 = 9
TEMPLATE = dict(canvas=128, cut=32)


def _samples(*label_rows):
    return [JigsawDataSample().set_gt_region_labels(row) for row in label_rows]


def _ce(logits, label):
    return -torch.log_softmax(logits, -1)[label]


def test_global_head_loss_is_area_weighted_soft_cross_entropy():
    head = GlobalClsHead(num_classes=2, in_channels=2, template=TEMPLATE)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1., 0.], [0., 1.], [1., 1.]]))
        head.fc.bias.zero_()
    feat = torch.zeros(1, 2, 4, 4)
    feat[0, 0] = 2.0  # mean feature (2, 0) -> logits (2, 0, 2)
    loss = head.loss((feat,), _samples([0, 1, 2, 0]))['loss_cls']
    logits = torch.tensor([2., 0., 2.])
    areas = torch.tensor([32 * 32, 96 * 32, 32 * 96, 96 * 96], dtype=torch.float) / 128 ** 2
    expected = areas[0] * _ce(logits, 0) + areas[1] * _ce(logits, 1) + areas[2] * _ce(logits, 2) \
        + areas[3] * _ce(logits, 0)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_blockwise_head_pools_each_region_and_averages_region_losses():
    head = BlockwiseClsHead(num_classes=1, in_channels=1, template=TEMPLATE)
    with torch.no_grad():
        head.fc.weight.copy_(torch.tensor([[1.], [-1.]]))
        head.fc.bias.zero_()
    feat = torch.arange(16, dtype=torch.float).view(1, 1, 4, 4)
    region_means = [0.0, (1 + 2 + 3) / 3, (4 + 8 + 12) / 3, (5 + 6 + 7 + 9 + 10 + 11 + 13 + 14 + 15) / 9]
    labels = [0, 1, 1, 0]
    loss = head.loss((feat,), _samples(labels))['loss_cls']
    expected = sum(_ce(torch.tensor([m, -m]), y) for m, y in zip(region_means, labels)) / 4
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_dense_head_soft_labels_from_the_table_averaged_in_regions_then_over_regions():
    head = DenseERFHead(num_classes=1, in_channels=1, tau=0.7, template=TEMPLATE)
    with torch.no_grad():
        head.conv.weight.copy_(torch.tensor([1.0, 0.0]).view(2, 1, 1, 1))  # logits (x, 0)
        head.conv.bias.zero_()
        table = torch.zeros(16, 4)
        table[torch.arange(16), head.cell_regions] = 1.0
        table[5] = torch.tensor([0.2, 0.0, 0.0, 0.8])  # cell (1, 1), in R4, mixes in R1's label
        head.erf_weights.copy_(table)
    feat = torch.linspace(-2, 2, 16).view(1, 1, 4, 4)
    labels = [1, 0, 0, 0]
    x = feat.flatten()
    per_pos = []
    for p in range(16):
        logits = torch.stack([x[p], torch.tensor(0.)])  # class 0 logit x, background (class 1) logit 0
        target = sum(table[p, r] * torch.nn.functional.one_hot(torch.tensor(labels[r]), 2) for r in range(4))
        per_pos.append(-(target * torch.log_softmax(logits, 0)).sum())
    per_pos = torch.stack(per_pos)
    region = head.cell_regions
    expected = sum(per_pos[region == r].mean() for r in range(4)) / 4
    loss = head.loss((feat,), _samples(labels))['loss_cls']
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)


def test_dense_head_with_blockwise_table_equals_blockwise_cross_entropy_per_cell():
    head = DenseERFHead(num_classes=3, in_channels=4, template=TEMPLATE)
    feat = torch.randn(2, 4, 4, 4, generator=torch.Generator().manual_seed(0))
    labels = [[0, 1, 2, 3], [3, 3, 1, 0]]
    loss = head.loss((feat,), _samples(*labels))['loss_cls']
    logits = head.conv(feat).flatten(2)
    expected = 0
    for b in range(2):
        for r in range(4):
            cells = (head.cell_regions == r).nonzero().flatten()
            expected += torch.stack([_ce(logits[b, :, p], labels[b][r]) for p in cells]).mean()
    assert loss.item() == pytest.approx(expected.item() / 8, rel=1e-5)


def test_heads_predict_region_scores_that_sum_to_one():
    feat = torch.randn(2, 8, 4, 4)
    for head in (GlobalClsHead(2, 8, template=TEMPLATE), BlockwiseClsHead(2, 8, template=TEMPLATE),
                 DenseERFHead(2, 8, template=TEMPLATE)):
        out = head.predict((feat,), _samples([0, 1, 2, 0], [1, 1, 1, 1]))
        scores = torch.stack([s.pred_region_scores for s in out])
        assert scores.shape == (2, 4, 3)
        torch.testing.assert_close(scores.sum(-1), torch.ones(2, 4))


def test_erf_table_is_a_persistent_buffer():
    head = DenseERFHead(num_classes=2, in_channels=8)
    assert 'erf_weights' in head.state_dict() and head.erf_weights.shape == (49, 4)
    torch.testing.assert_close(head.erf_weights.sum(1), torch.ones(49))


def test_config_errors():
    with pytest.raises(ConfigError, match='tau=1.5'):
        DenseERFHead(2, 8, tau=1.5)
    head = DenseERFHead(2, 8)
    with pytest.raises(ValueError, match="num_classes must match the store's classes"):
        head.loss((torch.zeros(1, 8, 7, 7),), _samples([0, 5, 1, 1]))
    with pytest.raises(ValueError, match='expects'):
        head.loss((torch.zeros(1, 8, 6, 6),), _samples([0, 1, 1, 1]))
    assert not math.isnan(head.loss((torch.zeros(1, 8, 7, 7),), _samples([0, 2, 1, 1]))['loss_cls'].item())


@pytest.mark.parametrize('head_type', [GlobalClsHead, BlockwiseClsHead, DenseERFHead])
def test_targets_and_losses_are_float32_under_bf16_autocast(head_type, monkeypatch):
    """Under autocast a matmul/einsum runs in bf16: soft targets would no longer sum to 1 and the
    region losses would be reduced in bf16."""
    torch.manual_seed(0)
    head = head_type(num_classes=5, in_channels=16, template=TEMPLATE)
    if head_type is DenseERFHead:
        with torch.no_grad():  # a non-trivial table, as after an ERF refresh
            table = torch.rand(16, 4) + 3 * torch.nn.functional.one_hot(head.cell_regions, 4)
            head.erf_weights.copy_(table / table.sum(1, keepdim=True))
    module = __import__(head_type.__module__, fromlist=['soft_cross_entropy'])
    targets = []

    def recording_soft_cross_entropy(logits, target, dim=-1):
        targets.append(target)
        return base_soft_cross_entropy(logits, target, dim)

    base_soft_cross_entropy = module.soft_cross_entropy
    monkeypatch.setattr(module, 'soft_cross_entropy', recording_soft_cross_entropy)
    feats = (torch.randn(3, 16, 4, 4) * 3,)
    samples = _samples([0, 1, 2, 5], [3, 3, 4, 0], [5, 5, 5, 1])
    with torch.autocast('cpu', dtype=torch.bfloat16):
        logits = head(feats)
        loss = head.loss(feats, samples)['loss_cls']
    assert logits.dtype == torch.bfloat16  # the features and logits do use bf16
    (target,) = targets
    assert target.dtype == torch.float32 and loss.dtype == torch.float32
    class_dim = 1 if head_type is DenseERFHead else -1
    torch.testing.assert_close(target.sum(class_dim), torch.ones_like(target.sum(class_dim)), atol=1e-6, rtol=0)
    exact = head.loss_from_logits(logits.float(), head.region_one_hot(samples, logits.device))
    assert abs(loss.item() - exact.item()) <= 1e-5


def test_dense_head_warns_once_when_nothing_refreshes_its_table():
    head = DenseERFHead(num_classes=2, in_channels=8).train()
    feats, samples = (torch.randn(1, 8, 7, 7),), _samples([0, 1, 2, 0])
    with pytest.warns(UserWarning, match='trains the block-wise labels') as record:
        head.loss(feats, samples)
        head.loss(feats, samples)
    assert sum('ERFUpdateHook' in str(w.message) for w in record) == 1
    scheduled = DenseERFHead(num_classes=2, in_channels=8).train()
    scheduled.erf_refresh_scheduled = True  # what ERFUpdateHook.before_train sets
    blockwise = DenseERFHead(num_classes=2, in_channels=8, tau=1.0).train()  # a refresh changes nothing
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        scheduled.loss(feats, samples)
        blockwise.loss(feats, samples)


def test_montages_cut_elsewhere_on_the_stride_grid_are_refused():
    """A 224 canvas cut at 96 aligns with stride 32 like the head's cut at 64, so every shape
    matches: only the regions the montages carry tell the labels apart from the head's cells."""
    from mmjigsaw.structures import MontageTemplate
    head = DenseERFHead(num_classes=2, in_channels=8)  # canvas 224, cut 64
    samples = _samples([0, 1, 2, 0])
    samples[0].set_metainfo(dict(regions=MontageTemplate(224, 96).regions))
    with pytest.raises(ConfigError, match='differ from the head'):
        head.loss((torch.zeros(1, 8, 7, 7),), samples)
    samples[0].set_metainfo(dict(regions=MontageTemplate(224, 64).regions))
    head.loss((torch.zeros(1, 8, 7, 7),), samples)
