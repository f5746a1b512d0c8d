# Montage pre-training model: ResNet-50 + ERF-adaptive dense head (docs/method.md §4).

model = dict(
    type='JigsawClassifier',
    data_preprocessor=dict(
        type='JigsawDataPreprocessor',
        # ImageNet mean / std, RGB order, 0-255 (montages are RGB)
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]),
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(3, ),  # only C5; the keys load into mmdet detectors unchanged
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        norm_eval=False,
        style='pytorch'),
    head=dict(
        type='DenseERFHead',
        num_classes=80,  # COCO; background is one more output
        in_channels=None,  # read from the backbone's deepest output (2,048 for ResNet-50)
        tau=0.7,  # least weight of a position's own label
        # NOTE: the same template as the dataset's JigsawAssemble (checked at the first batch)
        template=dict(canvas=224, cut=64),
        stride=32))
