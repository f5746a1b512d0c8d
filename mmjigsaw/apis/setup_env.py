"""Registering mmjigsaw's modules and making it the default scope."""
import datetime
import warnings

from mmengine import DefaultScope


def register_all_modules(init_default_scope: bool = True) -> None:
    """Import every mmjigsaw module that registers something, and let checkpoints load safely.

    The second part is :func:`mmjigsaw.engine.allow_mmengine_checkpoints`: the Runners of this
    process then save mmengine's logs in a form ``torch.load(weights_only=True)`` accepts, and
    load them back. A checkpoint saved by a process that skipped it is refused on loading.

    Args:
        init_default_scope: also make ``mmjigsaw`` the current default scope, so that
            ``type='JigsawAssemble'`` resolves here and ``type='mmdet.ResNet'`` in mmdet.
    """
    import mmjigsaw.datasets  # noqa: F401
    import mmjigsaw.engine
    import mmjigsaw.models  # noqa: F401
    import mmjigsaw.visualization  # noqa: F401

    mmjigsaw.engine.allow_mmengine_checkpoints()
    if not init_default_scope:
        return
    current = DefaultScope.get_current_instance()
    if current is None or not DefaultScope.check_instance_created('mmjigsaw'):
        DefaultScope.get_instance('mmjigsaw', scope_name='mmjigsaw')
    elif current.scope_name != 'mmjigsaw':
        warnings.warn(f'The current default scope "{current.scope_name}" is not "mmjigsaw"; '
                      '`register_all_modules` opens a new "mmjigsaw" scope.')
        stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S%f')
        DefaultScope.get_instance(f'mmjigsaw-{stamp}', scope_name='mmjigsaw')
