# Faster R-CNN R50-FPN fine-tuned on COCO from a Montage-pre-trained ResNet-50, exported with
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/backbone.pth
_base_ = './faster-rcnn_r50_fpn_scratch_8xb2-13e_coco.py'

pretrained = 'work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained', checkpoint=pretrained)))
