"""Refusing a montage head whose class count differs from its training data's."""
from mmengine.hooks import Hook

from mmjigsaw.errors import ConfigError
from mmjigsaw.registry import HOOKS
from ..distributed import unwrapped_model


@HOOKS.register_module()
class ClassNumCheckHook(Hook):
    """Before training, check ``model.head.num_classes`` against the training dataset's classes.

    A head with more outputs than the data has classes would train with background as an ordinary
    class (and one with fewer would fail deep inside the loss), so the run stops at once with one
    line naming both counts. Works under any launcher: a DDP-wrapped model is unwrapped first.
    Data whose classes do not end with 'background' (a detection dataset) is not checked.
    """

    def before_train(self, runner) -> None:
        model = unwrapped_model(runner)
        head = getattr(model, 'head', None)
        classes = getattr(runner.train_dataloader.dataset, 'metainfo', {}).get('classes')
        if head is None or not hasattr(head, 'num_classes') or not classes or classes[-1] != 'background':
            return
        if head.num_classes != len(classes) - 1:
            raise ConfigError(f'model.head.num_classes={head.num_classes}, but the training data has '
                              f'{len(classes) - 1} object classes ({", ".join(classes[:-1])}); set '
                              f'model.head.num_classes={len(classes) - 1}.')
