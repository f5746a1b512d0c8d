"""Measurements that the benchmark tools (tools/analysis_tools/benchmark_*.py) and the maintainers'
rigs (.dev_scripts/) share."""
from .pipeline import (MONTAGE_PIPELINE, ImageNetStyleDataset, measure, montage_difference, one_thread, pipeline_rates,
                       source_image_paths, store_summary)
from .step_profile import StepProfile, device_busy_us, profile_steps, synchronize

__all__ = ['MONTAGE_PIPELINE', 'ImageNetStyleDataset', 'measure', 'montage_difference', 'one_thread',
           'pipeline_rates', 'source_image_paths', 'store_summary', 'StepProfile', 'device_busy_us', 'profile_steps',
           'synchronize']
