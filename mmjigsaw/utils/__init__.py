"""The ground floor: helpers that import nothing else of mmjigsaw (files, images, warnings, the set-up's
choice of mmcv ops). Errors live in :mod:`mmjigsaw.errors`; what a program calls first
(``register_all_modules``, ``load_config``, ``run_cli``) in :mod:`mmjigsaw.apis`."""
from .image import read_image_rgb
from .io import atomic_write_json, file_sha256
from .text import counted
from .warning_filters import filter_known_warnings

__all__ = ['atomic_write_json', 'counted', 'file_sha256', 'read_image_rgb', 'filter_known_warnings']
