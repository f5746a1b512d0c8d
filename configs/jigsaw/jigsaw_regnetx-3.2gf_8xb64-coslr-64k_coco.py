# Montage pre-training of RegNetX-3.2GF on COCO train2017: the paper's recipe of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone; its last stage (1,008 channels,
# stride 32). The export loads into mmdet::regnet/faster-rcnn_regnetx-3.2GF_fpn_1x_coco.py's backbone.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.RegNet',
        arch='regnetx_3.2gf',
        out_indices=(3, ),
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        norm_eval=False,
        style='pytorch'))
