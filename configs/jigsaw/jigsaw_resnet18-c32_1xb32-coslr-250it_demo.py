# Montage pre-training of a half-width ResNet-18 (base_channels=32) on the built-in demo data, sized
# for about four minutes on 2 CPU cores. The recipe is the paper's, scaled down: batch 32, 250
# iterations, lr scaled linearly from 0.8 at 512 montages, warm-up and ERF refresh in proportion.
_base_ = [
    '../_base_/models/jigsaw_resnet50.py',
    '../_base_/datasets/montage_coco.py',
    '../_base_/default_runtime.py',
]

max_iters = 250
warmup_iters = 25

model = dict(
    backbone=dict(depth=18, base_channels=32, norm_cfg=dict(type='BN', requires_grad=True)),  # plain BN
    head=dict(num_classes=7))  # the demo's 7 categories

train_dataloader = dict(
    batch_size=32,
    num_workers=2,
    pin_memory=False,
    # the store `make demo` extracts (the study and the tests pass their own)
    dataset=dict(store='data/make_demo/store_train_context', num_montages=max_iters * 32))

optim_wrapper = dict(type='OptimWrapper',
                     optimizer=dict(type='SGD', lr=0.8 * 32 / 512, momentum=0.9, weight_decay=1e-4))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.25, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters, eta_min=0.0, by_epoch=False,
         begin=warmup_iters, end=max_iters),
]
train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)
auto_scale_lr = dict(enable=False, base_batch_size=512)

# NOTE: the paper refreshes every 5,000 of 64,000 iterations; the demo every 50 of 250
custom_hooks = [dict(type='ERFUpdateHook', interval=50, num_images=2),
                dict(type='ERFVisualizationHook', out_dir='erf')]

default_hooks = dict(logger=dict(interval=10), checkpoint=dict(interval=50))
