# Faster R-CNN R50-FPN fine-tuned on COCO from a Montage-pre-trained ResNet-50 with the paper's schedule
# (1333x800, flip 0.5, 13 epochs; stem and first stage frozen, BN frozen: mmdet's defaults for a
# pre-trained backbone). The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/backbone.pth
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedules/det_sgd_13e.py',
    '../_base_/det_runtime.py',
]

pretrained = 'work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained', checkpoint=pretrained)))
