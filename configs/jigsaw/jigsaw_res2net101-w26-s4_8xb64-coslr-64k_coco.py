# Montage pre-training of Res2Net-101 (26w x 4s, deep stem and average down-sampling, as mmdet builds
# it) on COCO train2017: the paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with another
# backbone; C5 (2,048 channels, stride 32). The export loads into mmdet::res2net/ detectors.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

# the recipe's ResNet-50 (4 stages, C5 only, SyncBN, pytorch style) with Res2Net's blocks
model = dict(backbone=dict(type='mmdet.Res2Net', depth=101, scales=4, base_width=26))
