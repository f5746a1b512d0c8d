# Faster R-CNN with timm's ConvNeXt-T (TimmBackbone) and an FPN, fine-tuned on COCO from a
# Montage-pre-trained ConvNeXt-T with the paper's schedule (1333x800, flip 0.5, 13 epochs, SGD lr 0.02
# at batch 16). ConvNeXt has no BN to freeze (LayerNorm) and mmdet's ConvNeXt configs freeze no stage,
# so nothing is frozen. The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco/backbone.pth
# TimmBackbone loads it through its own `checkpoint` argument (every key of the model must be in the
# file, shapes checked, read with weights_only=True): stricter than init_cfg=dict(type='Pretrained'),
# which also works but skips missing keys with a warning. The export keeps TimmBackbone's key names
# (model.*); a --to timm export loads the same way.
# Same detector, data and schedule as the ResNet-50 one:
_base_ = ['./faster-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py', '../_base_/backbones/timm-convnext-t.py']

pretrained = 'work_dirs/jigsaw_timm-convnext-t_8xb64-adamw-coslr-64k_coco/backbone.pth'
model = dict(
    backbone=dict(_delete_=True, **_base_.timm_convnext_t,  # the ResNet-50 replaced whole
                  out_indices=(0, 1, 2, 3),  # strides 4, 8, 16, 32
                  checkpoint=pretrained),
    neck=dict(in_channels=[96, 192, 384, 768]))

# NOTE [choice]: the paper's SGD schedule for every detector (mmdet's ConvNeXt configs use AdamW at lr
# 1e-4); gradients clipped at norm 35, mmdet's usual value, as a guard for SGD, as for Swin-T
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
# NOTE: timm's classifier norm (head.norm, kept with num_classes=0) feeds no loss in a detector either
find_unused_parameters = True
