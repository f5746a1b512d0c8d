# RetinaNet R50-FPN fine-tuned on COCO from a randomly initialised backbone: the baseline for
# retinanet_r50_fpn_jigsaw-pre_8xb2-13e_coco.py, with the same schedule (1333x800, flip 0.5, frozen BN).
_base_ = [
    'mmdet::_base_/models/retinanet_r50_fpn.py',
    'mmdet::_base_/datasets/coco_detection.py',
    '../_base_/schedules/det_sgd_13e.py',
    '../_base_/det_runtime.py',
]

model = dict(backbone=dict(init_cfg=None))  # no ImageNet weights
