# Faster R-CNN timm-ConvNeXt-T-FPN on COCO from a randomly initialised backbone: the baseline of
# faster-rcnn_timm-convnext-t_fpn_jigsaw-pre_8xb2-13e_coco.py with the same schedule. ConvNeXt normalises
# with LayerNorm, which needs no batch statistics, and nothing is frozen in either config: only the
# initialisation differs.
_base_ = './faster-rcnn_timm-convnext-t_fpn_jigsaw-pre_8xb2-13e_coco.py'

model = dict(backbone=dict(checkpoint=None))  # timm's own random initialisation
