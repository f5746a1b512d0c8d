# Montage pre-training of timm's ResNet-50 (resnet50 through TimmBackbone) on COCO train2017: the
# paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with timm's implementation. The head reads
# timm's feature index 4 (the last stage: 2,048 channels, stride 32). The export (extract_backbone.py,
# TimmBackbone's key names) loads into a detector's TimmBackbone(model_name='resnet50',
# out_indices=(1, 2, 3, 4)); with --to timm it loads strict=True into
# timm.create_model('resnet50', num_classes=0).
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/timm-resnet50.py']

# mmdet's ResNet-50 of the recipe replaced whole
model = dict(backbone=dict(_delete_=True, **_base_.timm_resnet50, out_indices=(4, )))
sync_bn = 'torch'  # the paper's SyncBN: timm builds BatchNorm2d, which a distributed run converts
