# Montage pre-training of ResNet-50 on COCO train2017 with the ERF-adaptive dense head: the paper's
# recipe (8 GPUs x 64 montages, 64k iterations, SyncBN, tau 0.7, ERF refresh every 5k iterations).
_base_ = [
    '../_base_/models/jigsaw_resnet50.py',
    '../_base_/datasets/montage_coco.py',
    '../_base_/schedules/jigsaw_sgd_coslr_64k.py',
    '../_base_/default_runtime.py',
]

custom_hooks = [
    dict(type='ERFUpdateHook', interval=5000, num_images=8),
    dict(type='ERFVisualizationHook', out_dir='erf'),
]
