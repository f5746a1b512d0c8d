# Montage pre-training of MobileNetV2 (width 1.0, mmdet's implementation) on COCO train2017: the
# paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. The dense head
# reads the deepest output, index 7 (the 1x1 conv to 1,280 channels, stride 32: 7 x 7 on the 224
# canvas); its in_channels is inferred from the backbone. Export with extract_backbone.py; the keys
# load into mmdet.MobileNetV2(out_indices=(1, 2, 4, 7)) of
# configs/det/faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py.
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/mobilenetv2.py']

model = dict(backbone=dict(_delete_=True, **_base_.mobilenet_v2,  # the recipe's ResNet-50 replaced whole
                           out_indices=(7, ), norm_cfg=dict(type='SyncBN', requires_grad=True), norm_eval=False))
