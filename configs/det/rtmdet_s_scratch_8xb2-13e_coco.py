# RTMDet-S on COCO from a randomly initialised backbone: the baseline of
# rtmdet_s_jigsaw-pre_8xb2-13e_coco.py with the same schedule and input normalisation, trained the
# way mmdet trains RTMDet: nothing frozen, SyncBN with batch statistics.
_base_ = './rtmdet_s_jigsaw-pre_8xb2-13e_coco.py'

model = dict(backbone=dict(frozen_stages=-1, norm_cfg=dict(type='SyncBN', requires_grad=True), norm_eval=False,
                           init_cfg=None))
