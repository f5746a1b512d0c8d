from .class_num_check_hook import ClassNumCheckHook
from .erf_update_hook import ERF_REFRESH_INFO, ERFUpdateHook
from .erf_visualization_hook import ERFVisualizationHook
from .montage_repeat_check_hook import MontageRepeatCheckHook
from .partwise_init_hook import PartwiseInitHook, part_seed

__all__ = ['ClassNumCheckHook', 'ERF_REFRESH_INFO', 'ERFUpdateHook', 'ERFVisualizationHook', 'MontageRepeatCheckHook',
           'PartwiseInitHook', 'part_seed']
