# Mask R-CNN Swin-T-FPN on COCO from a randomly initialised backbone: the baseline of
# mask-rcnn_swin-t-p4-w7_fpn_jigsaw-pre_8xb2-13e_coco.py with the same schedule. Swin normalises with
# LayerNorm, which needs no batch statistics, and nothing is frozen in either config: only the
# initialisation differs.
_base_ = './mask-rcnn_swin-t-p4-w7_fpn_jigsaw-pre_8xb2-13e_coco.py'

model = dict(backbone=dict(init_cfg=None))
