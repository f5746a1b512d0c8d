from .class_num_check_hook import ClassNumCheckHook
from .erf_update_hook import ERFUpdateHook
from .montage_repeat_check_hook import MontageRepeatCheckHook

__all__ = ['ClassNumCheckHook', 'ERFUpdateHook', 'MontageRepeatCheckHook']
