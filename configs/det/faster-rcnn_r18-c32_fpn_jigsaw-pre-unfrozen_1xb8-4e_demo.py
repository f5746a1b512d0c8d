# A control of the reproduction study: the Montage-pre-trained backbone of
# faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py fine-tuned with the random-init baseline's switches
# (nothing frozen, BN normalising with batch statistics), so that what the pre-trained weights buy is
# told apart from what the frozen-stem, frozen-BN recipe buys.
_base_ = './faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py'

model = dict(backbone=dict(frozen_stages=-1, norm_eval=False))
