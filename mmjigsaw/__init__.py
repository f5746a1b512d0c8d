from .utils.warning_filters import filter_known_warnings
from .version import __version__

# Importing mmjigsaw hides one known warning of the OpenMMLab packages (setuptools' pkg_resources
# deprecation, which mmengine triggers on every config with mmdet:: bases) and nothing else.
filter_known_warnings()

__all__ = ['__version__']
