# The ImageNet baseline of faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py: the same detector
# and schedule, its backbone initialised from torchvision's ImageNet-1k MobileNetV2
# (mobilenet_v2-b0353104.pth, converted to mmdet's key names by the reproduction study).
_base_ = './faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py'

pretrained = 'work_dirs/reproduce/mobilenetv2_imagenet.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
