"""Where a training step's time goes: its wall time, the GPU's busy time and the operators that take the
CPU, from ``torch.profiler`` over a few steps (``benchmark_train.py --profile``)."""
import time
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Optional, Tuple

import torch
from torch.autograd import DeviceType
from torch.autograd.profiler_util import FunctionEvent
from torch.profiler import ProfilerActivity, profile, schedule


def synchronize(device: str) -> None:
    """Wait for the device's queued work (a no-op on a CPU), so that a timer reads finished work."""
    if device.startswith('cuda'):
        torch.cuda.synchronize()


def device_busy_us(events: Iterable[FunctionEvent]) -> float:
    """Microseconds of kernels and copies on the device among ``events``. The profiler also credits a
    kernel's time to the CPU operator that launched it; only the device's own events count here."""
    return sum(e.self_device_time_total for e in events
               if e.device_type != DeviceType.CPU and not e.is_user_annotation)


@dataclass
class StepProfile:
    """Means per step over the profiled steps, in milliseconds.

    ``device_ms`` is the time the GPU spent in kernels and copies (0 on a CPU; streams that overlap
    count twice); ``cpu_ms_by_op`` maps each operator (or ``record_function`` range) to its self CPU
    time, summed over the threads the profiler saw: the calling thread and threads started while it
    ran, not threads that were running before (a DataLoader's pin-memory thread).
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
    """Profile ``steps`` calls of ``step`` on ``device`` ('cpu' or 'cuda...') after one warm-up call
    under the profiler (its start-up cost stays out); with ``trace_path`` also write the Chrome trace
    there (chrome://tracing or Perfetto open it)."""
    activities = [ProfilerActivity.CPU] + ([ProfilerActivity.CUDA] if device.startswith('cuda') else [])
    with profile(activities=activities, schedule=schedule(wait=0, warmup=1, active=steps)) as prof:
        step()
        synchronize(device)
        prof.step()
        start = time.perf_counter()
        for i in range(steps):
            if i:
                prof.step()
            step()
        synchronize(device)  # the last step's kernels finish inside the profiled window, which
        wall_s = time.perf_counter() - start  # closes with the block (a last prof.step() would drop it)
    if trace_path:
        prof.export_chrome_trace(trace_path)
    return StepProfile(steps=steps, wall_ms=1000 * wall_s / steps,
                       device_ms=device_busy_us(prof.events()) / 1000 / steps,
                       cpu_ms_by_op={e.key: e.self_cpu_time_total / 1000 / steps for e in prof.key_averages()})
