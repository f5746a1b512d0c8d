"""Known warnings of the OpenMMLab packages that say nothing to an mmjigsaw user, filtered by message."""
import warnings

#: setuptools' deprecation of ``pkg_resources``, which mmengine's ``is_installed`` imports and reloads
#: on every call (every config with ``mmdet::`` bases, every registry scope switch): several copies of
#: the same warning before a tool's own output. Nothing a user of mmjigsaw can act on.
PKG_RESOURCES_DEPRECATION = r'pkg_resources is deprecated as an API'


def filter_known_warnings() -> None:
    """Ignore the warnings above, and only those: other warnings, ``pkg_resources``' other ones
    included, still show."""
    warnings.filterwarnings('ignore', message=PKG_RESOURCES_DEPRECATION, category=UserWarning)
    warnings.filterwarnings('ignore', message=PKG_RESOURCES_DEPRECATION, category=DeprecationWarning)
