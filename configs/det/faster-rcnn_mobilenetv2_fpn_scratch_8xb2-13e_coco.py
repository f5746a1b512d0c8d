# Faster R-CNN MobileNetV2-FPN on COCO from a randomly initialised backbone: the baseline of
# faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py with the same schedule, trained the way
# mmdet's own from-scratch configs train: nothing frozen and normalisation that normalises (SyncBN
# over the 8 GPUs' 16 images, batch statistics in training).
_base_ = './faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py'

model = dict(backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN', requires_grad=True), norm_eval=False,
                           init_cfg=None))
