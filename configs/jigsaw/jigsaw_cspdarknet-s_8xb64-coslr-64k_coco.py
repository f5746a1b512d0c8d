# Montage pre-training of YOLOX-S's backbone (CSPDarknet, deepen 0.33, widen 0.5) on COCO train2017:
# the paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. The head reads
# index 4 (the SPP stage, 512 channels, stride 32). The export loads into the backbone of
# configs/det/yolox_s_jigsaw-pre_8xb2-13e_coco.py.
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/cspdarknet-s.py']

model = dict(
    backbone=dict(
        _delete_=True,  # the recipe's ResNet-50 replaced whole
        **_base_.cspdarknet_s,
        out_indices=(4, ),
        norm_cfg=dict(type='SyncBN', momentum=0.03, eps=0.001),  # YOLOX's BN settings
        norm_eval=False))
