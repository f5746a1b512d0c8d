"""mmjigsaw.benchmark.step_profile: per-step wall time, GPU time and CPU operators from torch.profiler."""
import json
import time

import torch

from mmjigsaw.benchmark import profile_steps

SLEEP_S = 0.05
STEPS = 6


def _training_step():
    model = torch.nn.Linear(64, 64)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs = torch.randn(32, 64)

    def step():
        time.sleep(SLEEP_S)  # a stall the profile must put in the wall time, not on the GPU
        optimizer.zero_grad()
        model(inputs).square().mean().backward()
        optimizer.step()
    return step


def test_a_cpu_step_gives_its_wall_time_per_step_and_its_operators(tmp_path):
    trace = tmp_path / 'trace.json'
    prof = profile_steps(_training_step(), steps=STEPS, device='cpu', trace_path=str(trace))
    assert prof.steps == STEPS
    # per step: one sleep and a small step each (slower on a loaded machine), not all the steps' total
    assert 1000 * SLEEP_S <= prof.wall_ms < STEPS / 2 * 1000 * SLEEP_S
    assert prof.device_ms == 0 and prof.device_busy == 0  # no GPU
    assert prof.cpu_ms_by_op['aten::addmm'] > 0  # the forward's matrix product
    top = prof.top_cpu_ops(3)
    assert len(top) == 3 and [ms for _, ms in top] == sorted((ms for _, ms in top), reverse=True)
    assert top[0][1] == max(prof.cpu_ms_by_op.values())
    names = {event.get('name') for event in json.loads(trace.read_text())['traceEvents']}
    assert 'aten::addmm' in names
