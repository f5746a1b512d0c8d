# Faster R-CNN with a MobileNetV2 (width 1.0) FPN on the built-in demo data, its backbone initialised
# from the Montage pre-training of configs/jigsaw/jigsaw_mobilenetv2_1xb32-coslr-250it_demo.py and
# fine-tuned the paper's way (stem and first stage frozen, BN frozen). Same neck, heads, data and
# schedule as the ResNet-18 demo detector. The backbone comes from the commands below (the
# reproduction study exports its own and passes that instead)
#   python tools/train.py configs/jigsaw/jigsaw_mobilenetv2_1xb32-coslr-250it_demo.py
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_mobilenetv2_1xb32-coslr-250it_demo/iter_250.pth \
#       work_dirs/jigsaw_mobilenetv2_1xb32-coslr-250it_demo/backbone.pth
_base_ = ['./faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py', '../_base_/backbones/mobilenetv2.py']

pretrained = 'work_dirs/jigsaw_mobilenetv2_1xb32-coslr-250it_demo/backbone.pth'

model = dict(
    backbone=dict(_delete_=True, **_base_.mobilenet_v2,  # the demo's ResNet-18 replaced whole
                  out_indices=(1, 2, 4, 7),  # strides 4, 8, 16, 32
                  frozen_stages=1, norm_cfg=dict(type='BN', requires_grad=True), norm_eval=True,
                  init_cfg=dict(type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[24, 32, 96, 1280]))
