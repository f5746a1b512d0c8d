# Faster R-CNN with a MobileNetV2 (width 1.0) FPN, fine-tuned on COCO from a Montage-pre-trained
# MobileNetV2 with the paper's schedule (1333x800, flip 0.5, 13 epochs; stem and first stage frozen,
# BN frozen, as mmdet's configs fine-tune a pre-trained backbone). The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_mobilenetv2_8xb64-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_mobilenetv2_8xb64-coslr-64k_coco/backbone.pth
# Same detector, data and schedule as the ResNet-50 one:
_base_ = ['./faster-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py', '../_base_/backbones/mobilenetv2.py']

pretrained = 'work_dirs/jigsaw_mobilenetv2_8xb64-coslr-64k_coco/backbone.pth'
model = dict(
    backbone=dict(_delete_=True, **_base_.mobilenet_v2,  # the ResNet-50 replaced whole
                  out_indices=(1, 2, 4, 7),  # strides 4, 8, 16, 32
                  frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[24, 32, 96, 1280]))
