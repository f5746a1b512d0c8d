"""Where a training step's time goes: its wall time, the GPU's busy time and the operators that take the
CPU, from ``torch.profiler`` over a few steps (``benchmark_train.py --profile``)."""
import time
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Tuple

import torch
from torch.profiler import ProfilerActivity, profile


def synchronize(device: str) -> None:
    """Wait for the device's queued work (a no-op on a CPU), so that a timer reads finished work."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()


@dataclass
class StepProfile:
    """Means per step over the profiled steps, in milliseconds.

    ``device_ms`` is the time the GPU spent in kernels and copies (0 on a CPU); ``cpu_ms_by_op``
    maps each operator to its self CPU time, over all threads of the process.
    """
    steps: int
    wall_ms: float
    device_ms: float
    cpu_ms_by_op: Dict[str, float]

    @property
    def device_busy(self) -> float:
        """Share of the wall time the GPU was busy (0 on a CPU)."""
        return self.device_ms / self.wall_ms

    def top_cpu_ops(self, count: int) -> List[Tuple[str, float]]:
        """The ``count`` operators with the most self CPU time per step, largest first."""
        return sorted(self.cpu_ms_by_op.items(), key=lambda item: -item[1])[:count]


def profile_steps(step: Callable[[], None], steps: int, device: str,
                  trace_path: Optional[str] = None) -> StepProfile:
    """Profile ``steps`` calls of ``step`` on ``device`` ('cpu' or 'cuda...'); with ``trace_path``
    also write the Chrome trace there (chrome://tracing or Perfetto open it)."""
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.startswith('cuda') else [])
    synchronize(device)
    with profile(activities=activities) as prof:
        start = time.perf_counter()
        for _ in range(steps):
            step()
        synchronize(device)
        wall_s = time.perf_counter() - start
    events = prof.key_averages()
    if trace_path:
        prof.export_chrome_trace(trace_path)
    return StepProfile(steps=steps, wall_ms=1000 * wall_s / steps,
                       device_ms=sum(e.self_device_time_total for e in events) / 1000 / steps,
                       cpu_ms_by_op={e.key: e.self_cpu_time_total / 1000 / steps for e in events})
