# The randomly initialised baseline of faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py, trained
# fairly: every layer trains (nothing frozen) and BN normalises with batch statistics (train mode),
# as a network without pre-trained statistics needs. Same schedule; the reproduction study also gives
# it the pre-training's cost as extra epochs.
_base_ = './faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py'

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=None))
