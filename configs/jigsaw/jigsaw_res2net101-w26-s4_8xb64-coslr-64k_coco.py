# Montage pre-training of Res2Net-101 (26w x 4s, deep stem and average down-sampling, as mmdet builds
# it) on COCO train2017: the paper's recipe of jigsaw_resnet50_8xb64-coslr-64k_coco.py with another
# backbone; C5 (2,048 channels, stride 32). The export loads into mmdet::res2net/ detectors.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.Res2Net',
        depth=101,
        scales=4,
        base_width=26,
        num_stages=4,
        out_indices=(3, ),
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        norm_eval=False,
        style='pytorch'),
    head=dict(in_channels=None))  # inferred: 2048
