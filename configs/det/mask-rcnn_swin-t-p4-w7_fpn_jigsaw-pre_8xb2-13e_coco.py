# Mask R-CNN Swin-T-FPN fine-tuned on COCO from a Montage-pre-trained Swin-T with the paper's schedule
# (1333x800, flip 0.5, 13 epochs, SGD lr 0.02 at batch 16): mmdet's mask-rcnn_swin-t-p4-w7_fpn_1x_coco.py
# on the paper's schedule. Swin has no BN to freeze and mmdet's Swin configs freeze no stage, so
# nothing is frozen. The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco/backbone.pth
# Same detector, data and schedule as the ResNet-50 one:
_base_ = ['./mask-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py', '../_base_/backbones/swin-t-p4-w7.py']

pretrained = 'work_dirs/jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco/backbone.pth'
model = dict(
    backbone=dict(_delete_=True, **_base_.swin_t,  # the ResNet-50 replaced whole
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[96, 192, 384, 768]))

# NOTE [choice]: the paper's SGD schedule for every detector (mmdet's Swin configs use AdamW at lr 1e-4);
# gradients clipped at norm 35, mmdet's usual value, as a guard for SGD on a transformer
optim_wrapper = dict(clip_grad=dict(max_norm=35, norm_type=2))
