# The ImageNet baseline of faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py: the same detector,
# schedule and fine-tuning, its backbone from torchvision's ImageNet-1k MobileNetV2
# (mobilenet_v2-b0353104.pth, shipped by the pip package that tools/setup_env.sh installs), converted with
#   python tools/model_converters/torchvision2mmdet.py --arch mobilenet_v2 --imagenet \
#       work_dirs/mobilenetv2_imagenet.pth
_base_ = './faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py'

pretrained = 'work_dirs/mobilenetv2_imagenet.pth'
model = dict(backbone=dict(init_cfg=dict(checkpoint=pretrained)))
