# YOLOX-S on COCO from a randomly initialised backbone: the baseline of
# yolox_s_jigsaw-pre_8xb2-13e_coco.py with the same schedule and input normalisation, trained the way
# mmdet trains YOLOX: nothing frozen, BN with batch statistics (SyncNormHook syncs them across GPUs).
_base_ = './yolox_s_jigsaw-pre_8xb2-13e_coco.py'

model = dict(backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN', momentum=0.03, eps=0.001),
                           norm_eval=False, init_cfg=None))
