# Montage pre-training of ResNeSt-50 (radix 2) on COCO train2017: the paper's recipe of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone; C5 (2,048 channels, stride 32). The
# backbone is mmdet::resnest/faster-rcnn_s50_fpn_syncbn-backbone+head_ms-range-1x_coco.py's.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

# the recipe's ResNet-50 (4 stages, C5 only, SyncBN, pytorch style) with ResNeSt's split-attention blocks
model = dict(backbone=dict(type='mmdet.ResNeSt', stem_channels=64, radix=2, reduction_factor=4, avg_down_stride=True))
