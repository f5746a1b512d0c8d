# RTMDet-S fine-tuned on COCO from a Montage-pre-trained CSPNeXt-S: mmdet's rtmdet_s_8xb32-300e_coco.py
# (its model, its 640x640 mosaic/mix-up pipelines, EMA) on the paper's fine-tuning schedule (13 epochs,
# batch 16, SGD lr 0.02 decayed x0.1 at epochs 9 and 12) with the stem and first stage frozen and BN
# frozen, as mmdet fine-tunes a pre-trained backbone. The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_cspnext-s_8xb64-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_cspnext-s_8xb64-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_cspnext-s_8xb64-coslr-64k_coco/backbone.pth
# NOTE: mmdet's RTMDet config carries mmdet's whole runtime and schedule, and mmengine refuses a key
# defined by two bases, so this file restates ../_base_/det_runtime.py's visualizer and partwise_init
# hook and ../_base_/schedules/det_sgd_13e.py's schedule instead of inheriting them.
_base_ = ['mmdet::rtmdet/rtmdet_s_8xb32-300e_coco.py', '../_base_/backbones/cspnext-s.py']

pretrained = 'work_dirs/jigsaw_cspnext-s_8xb64-coslr-64k_coco/backbone.pth'
model = dict(
    # NOTE: RGB with ImageNet mean/std, as the montages were pre-trained (mmdet's RTMDet feeds BGR)
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    backbone=dict(
        **_base_.cspnext_s,  # the architecture of the pre-training (mmdet's RTMDet-S has the same)
        frozen_stages=1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=True,
        init_cfg=dict(_delete_=True, type='Pretrained', checkpoint=pretrained)))

train_dataloader = dict(batch_size=2, num_workers=2)

# The paper's fine-tuning schedule (configs/_base_/schedules/det_sgd_13e.py)
max_epochs = 13
stage2_num_epochs = 2  # NOTE [choice]: RTMDet's last 20 of 300 epochs without mosaic, scaled to 13
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[9, 12], gamma=0.1),
]
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))  # NOTE [choice]: a guard for SGD on RTMDet's head
auto_scale_lr = dict(enable=False, base_batch_size=16)
# the checkpoint interval, and ../_base_/det_runtime.py's partwise_init (same neck and head init per seed)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3),
                     partwise_init=dict(type='mmjigsaw.PartwiseInitHook'))
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=max_epochs - stage2_num_epochs,
         switch_pipeline={{_base_.train_pipeline_stage2}}),
]

# The runtime of ../_base_/det_runtime.py
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
