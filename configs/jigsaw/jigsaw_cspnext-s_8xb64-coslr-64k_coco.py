# Montage pre-training of RTMDet-S's backbone (CSPNeXt P5, deepen 0.33, widen 0.5) on COCO train2017:
# the paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. The head reads
# index 4 (512 channels, stride 32). The export loads into the backbone of
# configs/det/rtmdet_s_jigsaw-pre_8xb2-13e_coco.py.
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/cspnext-s.py']

model = dict(backbone=dict(_delete_=True, **_base_.cspnext_s,  # the recipe's ResNet-50 replaced whole
                           out_indices=(4, ), norm_cfg=dict(type='SyncBN'), norm_eval=False))
