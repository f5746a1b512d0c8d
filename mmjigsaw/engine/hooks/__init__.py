from .class_num_check_hook import ClassNumCheckHook
from .erf_update_hook import ERFUpdateHook

__all__ = ['ClassNumCheckHook', 'ERFUpdateHook']
