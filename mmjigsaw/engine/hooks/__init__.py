from .erf_update_hook import ERFUpdateHook

__all__ = ['ERFUpdateHook']
