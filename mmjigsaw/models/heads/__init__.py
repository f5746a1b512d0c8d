from .base_montage_head import BaseMontageHead, soft_cross_entropy
from .blockwise_cls_head import BlockwiseClsHead
from .dense_erf_head import DenseERFHead
from .global_cls_head import GlobalClsHead

__all__ = ['BaseMontageHead', 'soft_cross_entropy', 'BlockwiseClsHead', 'DenseERFHead', 'GlobalClsHead']
