"""Batching montages in DataLoader workers."""
from typing import Dict, List

from torch.utils.data import default_collate as torch_default_collate

from mmjigsaw.registry import FUNCTIONS


@FUNCTIONS.register_module()
def montage_collate(items: List[Dict]) -> Dict:
    """Stack ``inputs`` into one (B, 3, H, W) uint8 tensor and keep ``data_samples`` as a list.

    Unlike mmengine's ``default_collate`` it stacks through torch's collate, which in a worker
    process writes the batch straight into shared memory, saving one copy of every batch on its way
    to the training process. Config: ``collate_fn=dict(type='mmjigsaw.montage_collate')``.
    """
    return dict(inputs=torch_default_collate([item['inputs'] for item in items]),
                data_samples=[item['data_samples'] for item in items])
