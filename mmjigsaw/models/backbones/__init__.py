from .timm_backbone import TimmBackbone
from .torchvision_backbone import TorchvisionBackbone

__all__ = ['TimmBackbone', 'TorchvisionBackbone']
