# Montage pre-training of torchvision's ResNet-50 (resnet50 through TorchvisionBackbone) on COCO
# train2017: the paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with torchvision's
# implementation. The head reads level 3 (layer4: 2,048 channels, stride 32). The export
# (extract_backbone.py, TorchvisionBackbone's key names) loads into a detector's
# TorchvisionBackbone(name='resnet50'); with --to torchvision it loads strict=True into
# torchvision.models.resnet50(num_classes=81), the montage head as its classifier, and without that
# classifier into the ResNet-50 of configs/det/*_r50_* (torchvision's key names are mmdet's).
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/torchvision-resnet50.py']

# mmdet's ResNet-50 of the recipe replaced whole
model = dict(backbone=dict(_delete_=True, **_base_.torchvision_resnet50, out_indices=(3, )))
sync_bn = 'torch'  # the paper's SyncBN: torchvision builds BatchNorm2d, which a distributed run converts
