# YOLOX-S fine-tuned on COCO from a Montage-pre-trained CSPDarknet-S: mmdet's yolox_s_8xb8-300e_coco.py
# (its model, its mosaic/mix-up pipeline, EMA, SyncNormHook) on the paper's fine-tuning schedule
# (13 epochs, batch 16, SGD lr 0.02 decayed x0.1 at epochs 9 and 12) with the stem and first stage
# frozen and BN frozen, as mmdet fine-tunes a pre-trained backbone. The backbone comes from
#   bash tools/dist_train.sh configs/jigsaw/jigsaw_cspdarknet-s_8xb64-coslr-64k_coco.py 8
#   python tools/model_converters/extract_backbone.py \
#       work_dirs/jigsaw_cspdarknet-s_8xb64-coslr-64k_coco/iter_64000.pth \
#       work_dirs/jigsaw_cspdarknet-s_8xb64-coslr-64k_coco/backbone.pth
# NOTE: mmdet's YOLOX config carries mmdet's whole runtime and schedule, and mmengine refuses a key
# defined by two bases, so this file restates ../_base_/det_runtime.py's visualizer and partwise_init
# hook and ../_base_/schedules/det_sgd_13e.py's schedule instead of inheriting them.
_base_ = ['mmdet::yolox/yolox_s_8xb8-300e_coco.py', '../_base_/backbones/cspdarknet-s.py']

pretrained = 'work_dirs/jigsaw_cspdarknet-s_8xb64-coslr-64k_coco/backbone.pth'
model = dict(
    # NOTE: RGB with ImageNet mean/std, as the montages were pre-trained (mmdet's YOLOX feeds raw BGR)
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375], bgr_to_rgb=True),
    backbone=dict(
        **_base_.cspdarknet_s,  # the architecture of the pre-training (mmdet's YOLOX-S has the same)
        frozen_stages=1,
        norm_eval=True,
        init_cfg=dict(type='Pretrained', checkpoint=pretrained)))

train_dataloader = dict(batch_size=2, num_workers=2)

# The paper's fine-tuning schedule (configs/_base_/schedules/det_sgd_13e.py)
max_epochs = 13
num_last_epochs = 2  # NOTE [choice]: YOLOX's last 15 of 300 epochs without mosaic, scaled to 13
train_cfg = dict(_delete_=True, type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=1)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=500),
    dict(type='MultiStepLR', begin=0, end=max_epochs, by_epoch=True, milestones=[9, 12], gamma=0.1),
]
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0001),
    clip_grad=dict(max_norm=35, norm_type=2))  # NOTE [choice]: a guard for SGD on YOLOX's summed losses
auto_scale_lr = dict(enable=False, base_batch_size=16)
# the checkpoint interval, and ../_base_/det_runtime.py's partwise_init (same neck and head init per seed)
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3),
                     partwise_init=dict(type='mmjigsaw.PartwiseInitHook'))
custom_hooks = [
    dict(type='YOLOXModeSwitchHook', num_last_epochs=num_last_epochs, priority=48),
    dict(type='SyncNormHook', priority=48),
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0001, update_buffers=True, priority=49),
]

# The runtime of ../_base_/det_runtime.py
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
