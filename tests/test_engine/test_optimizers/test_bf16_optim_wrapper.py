"""BF16OptimWrapper: forward passes in bfloat16 autocast, float32 parameters, an ordinary SGD step."""
import torch
from torch import nn

from mmjigsaw.engine.optimizers import BF16OptimWrapper


def test_forward_runs_in_bfloat16_and_the_step_updates_float32_parameters():
    device = 'cuda' if torch.cuda.is_available() else 'cpu'  # where mmengine's autocast applies
    torch.manual_seed(0)
    model = nn.Linear(4, 3).to(device)
    before = model.weight.detach().clone()
    wrapper = BF16OptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    with wrapper.optim_context(model):
        assert torch.is_autocast_enabled(device)
        out = model(torch.randn(8, 4, device=device))
    assert not torch.is_autocast_enabled(device)
    assert out.dtype == torch.bfloat16
    wrapper.update_params(out.float().square().mean())
    assert model.weight.dtype == torch.float32
    assert not torch.equal(model.weight.detach(), before)
    assert model.weight.grad is None or not model.weight.grad.any()  # zeroed after the step
