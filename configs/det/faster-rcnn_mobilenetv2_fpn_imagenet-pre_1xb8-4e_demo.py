# The ImageNet baseline of faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py: the same detector
# and schedule, its backbone initialised from torchvision's ImageNet-1k MobileNetV2
# (mobilenet_v2-b0353104.pth), converted to mmdet's key names with the command below (the
# reproduction study converts its own copy and passes that instead)
#   python tools/model_converters/torchvision2mmdet.py --arch mobilenet_v2 --imagenet \
#       work_dirs/mobilenetv2_imagenet.pth
_base_ = './faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py'

pretrained = 'work_dirs/mobilenetv2_imagenet.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
