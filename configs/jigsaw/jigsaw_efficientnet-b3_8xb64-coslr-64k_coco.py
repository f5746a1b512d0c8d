# Montage pre-training of EfficientNet-B3 on COCO train2017: the paper's recipe of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. The head reads index 5, the last
# MBConv stage (384 channels, stride 32), which is also the deepest level of
# mmdet::efficientnet/retinanet_effb3_fpn_8xb4-crop896-1x_coco.py (out_indices=(3, 4, 5)): mmdet
# builds no layer past the deepest index, so both have the same weights.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.EfficientNet',
        arch='b3',
        drop_path_rate=0.2,
        out_indices=(5, ),
        frozen_stages=0,  # mmdet's EfficientNet: 0 freezes nothing
        norm_cfg=dict(type='SyncBN', requires_grad=True, eps=1e-3, momentum=0.01),
        norm_eval=False))
