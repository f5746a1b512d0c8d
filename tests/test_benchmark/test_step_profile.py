"""mmjigsaw.benchmark.step_profile: per-step wall time, GPU time and CPU operators from torch.profiler."""
import json
import time

import torch
from torch.autograd import DeviceType
from torch.autograd.profiler_util import FunctionEvent
from torch.profiler import record_function

from mmjigsaw.benchmark import device_busy_us, profile_steps

SLEEP_S = 0.05
STEPS = 6


def _training_step():
    model = torch.nn.Linear(64, 64)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    inputs = torch.randn(32, 64)

    def step():
        with record_function('outer'):
            with record_function('stall'):
                time.sleep(SLEEP_S)  # a stall the profile must put in the wall time, not on the GPU
        optimizer.zero_grad()
        model(inputs).square().mean().backward()
        optimizer.step()
    return step


def test_a_cpu_step_gives_its_wall_time_per_step_and_its_operators(tmp_path):
    """Bounds that hold on a loaded machine too: a step may take longer, never less."""
    trace = tmp_path / 'trace.json'
    start = time.perf_counter()
    prof = profile_steps(_training_step(), steps=STEPS, device='cpu', trace_path=str(trace))
    call_ms = 1000 * (time.perf_counter() - start)  # the warm-up step and the profiler's own work included
    assert prof.steps == STEPS
    # per step, in ms: at least one sleep; all the profiled steps fit in the call
    assert 1000 * SLEEP_S <= prof.wall_ms and STEPS * prof.wall_ms < call_ms
    assert prof.device_ms == 0 and prof.device_busy == 0  # no GPU
    # self time per step, in ms: the sleep is the inner range's own time, not the outer one's
    stall, outer = prof.cpu_ms_by_op['stall'], prof.cpu_ms_by_op['outer']
    assert 1000 * SLEEP_S <= stall <= prof.wall_ms and outer < stall / 2
    assert prof.cpu_ms_by_op['aten::addmm'] > 0  # the forward's matrix product
    top = prof.top_cpu_ops(3)
    assert len(top) == 3 and [ms for _, ms in top] == sorted((ms for _, ms in top), reverse=True)
    assert top[0][1] == max(prof.cpu_ms_by_op.values())
    names = {event.get('name') for event in json.loads(trace.read_text())['traceEvents']}
    assert {'stall', 'aten::addmm'} <= names


def test_the_device_time_counts_each_kernel_once():
    """The profiler credits a kernel to its own event and to the CPU operator that launched it."""
    launch = FunctionEvent(id=1, name='aten::mm', thread=0, start_us=0, end_us=150, use_device='cuda')
    launch.append_kernel('gemm', 0, 100)
    kernel = FunctionEvent(id=2, name='gemm', thread=0, start_us=10, end_us=110, use_device='cuda',
                           device_type=DeviceType.CUDA)
    copy = FunctionEvent(id=3, name='Memcpy HtoD', thread=0, start_us=120, end_us=140, use_device='cuda',
                         device_type=DeviceType.CUDA)
    assert launch.self_device_time_total == 100  # the double credit this guards against
    assert device_busy_us([launch, kernel, copy]) == 120
