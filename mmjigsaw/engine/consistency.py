"""Checks between a built model and its training data that would otherwise fail silently."""
from mmjigsaw.utils import ConfigError


def check_head_matches_dataset(model, dataset) -> None:
    """The head's class count must equal the dataset's (a store's classes end with 'background')."""
    head = getattr(model, 'head', None)
    classes = getattr(dataset, 'metainfo', {}).get('classes')
    if head is None or not hasattr(head, 'num_classes') or not classes or classes[-1] != 'background':
        return
    if head.num_classes != len(classes) - 1:
        raise ConfigError(f'model.head.num_classes={head.num_classes}, but the training data has '
                          f'{len(classes) - 1} object classes ({", ".join(classes[:-1])}); set '
                          f'model.head.num_classes={len(classes) - 1}.')
