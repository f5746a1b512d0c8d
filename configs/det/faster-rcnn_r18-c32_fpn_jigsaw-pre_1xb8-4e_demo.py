# A small Faster R-CNN on the built-in demo data, sized for 2 CPU cores: ResNet-18 at half width
# (base_channels=32) with a narrow FPN and heads, its backbone initialised from the Montage
# pre-training of configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py and fine-tuned the
# paper's way (stem and first stage frozen, BN frozen: mmdet's defaults for a pre-trained backbone).
# `make demo` exports the backbone to the path below.
_base_ = [
    'mmdet::_base_/models/faster-rcnn_r50_fpn.py',
    '../_base_/datasets/demo_detection.py',
    '../_base_/schedules/det_sgd_4e_demo.py',
    '../_base_/det_runtime.py',
]

width = 64  # FPN and head channels
pretrained = 'work_dirs/demo/backbone.pth'

model = dict(
    backbone=dict(depth=18, base_channels=32,
                  init_cfg=dict(_delete_=True, type='Pretrained', checkpoint=pretrained)),
    neck=dict(in_channels=[32, 64, 128, 256], out_channels=width),
    rpn_head=dict(in_channels=width, feat_channels=width),
    roi_head=dict(
        bbox_roi_extractor=dict(out_channels=width),
        bbox_head=dict(in_channels=width, fc_out_channels=256, num_classes=7)),
    # fewer proposals and sampled RoIs than COCO's defaults: a demo image has 1-6 objects
    train_cfg=dict(rpn_proposal=dict(nms_pre=1000, max_per_img=300), rcnn=dict(sampler=dict(num=128))),
    test_cfg=dict(rpn=dict(nms_pre=500, max_per_img=300)))

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval={{_base_.max_epochs}}))
