# Montage pre-training of MobileNetV2 (width 1.0, mmdet's implementation) on the built-in demo data:
# the demo recipe of jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py with another backbone. Its deepest
# output (index 7, 1,280 channels) has stride 32, as the 7 x 7 dense head needs.
_base_ = ['./jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py', '../_base_/backbones/mobilenetv2.py']

model = dict(backbone=dict(_delete_=True, **_base_.mobilenet_v2,  # the demo's ResNet-18 replaced whole
                           out_indices=(7, ), norm_cfg=dict(type='BN', requires_grad=True), norm_eval=False))
