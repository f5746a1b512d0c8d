# The randomly initialised baseline of faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py, trained
# fairly: every layer trains and BN normalises with batch statistics (train mode).
_base_ = './faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py'

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False, init_cfg=None))
