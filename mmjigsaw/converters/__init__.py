from .backbone_export import EXPORT_LAYOUTS, ExportResult, export_backbone, extract_backbone_state
from .imagenet import IMAGENET_WEIGHTS, check_sha256, convert_imagenet_weights, expected_sha256, imagenet_weights_path
from .key_mapping import check_state_matches, rename_keys
from .mobilenet_v2 import (mmdet_to_torchvision_mobilenet_v2, mobilenet_v2_module_pairs,
                           torchvision_to_mmdet_mobilenet_v2)
from .torchvision_layout import head_as_classifier, to_torchvision_layout, torchvision_arch

__all__ = ['EXPORT_LAYOUTS', 'ExportResult', 'export_backbone', 'extract_backbone_state',
           'IMAGENET_WEIGHTS', 'check_sha256', 'convert_imagenet_weights', 'expected_sha256',
           'imagenet_weights_path',
           'check_state_matches', 'rename_keys',
           'mmdet_to_torchvision_mobilenet_v2', 'mobilenet_v2_module_pairs', 'torchvision_to_mmdet_mobilenet_v2',
           'head_as_classifier', 'to_torchvision_layout', 'torchvision_arch']
