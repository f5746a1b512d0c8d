_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(backbone=dict(depth=18))
