# Montage pre-training of ResNeXt-101 (64x4d) on COCO train2017: the paper's recipe of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone; C5 (2,048 channels, stride 32).
# The export loads into mmdet's X-101 detectors (e.g. mmdet::faster_rcnn/faster-rcnn_x101-64x4d_fpn_1x_coco.py).
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

# the recipe's ResNet-50 (4 stages, C5 only, SyncBN, pytorch style) with ResNeXt's blocks
model = dict(backbone=dict(type='mmdet.ResNeXt', depth=101, groups=64, base_width=4))
