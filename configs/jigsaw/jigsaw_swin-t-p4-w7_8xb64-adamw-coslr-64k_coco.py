# Montage pre-training of Swin-T (patch 4, window 7) on COCO train2017: the paper's schedule of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py (64k iterations of 512 montages, warm-up then cosine,
# ERF refresh every 5k) with another backbone. The head reads stage 4 (768 channels, stride 32:
# 7 x 7 on the 224 canvas, one window). The ERF is a gradient, so attention needs nothing special.
_base_ = ['./jigsaw_resnet50_8xb64-coslr-64k_coco.py', '../_base_/backbones/swin-t-p4-w7.py']

model = dict(backbone=dict(_delete_=True, **_base_.swin_t))  # the recipe's ResNet-50 replaced whole
# norm0..norm2 feed no loss here
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)

# NOTE [choice]: SGD at lr 0.8 (the paper's, for ResNets) does not suit a transformer; AdamW as in
# Swin's own training, lr 1e-3 per 1,024 images scaled to 512, weight decay 0.05 off the norms,
# position tables and biases. Same warm-up/cosine shape as the paper.
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=5e-4, betas=(0.9, 0.999), weight_decay=0.05),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0,
                       custom_keys={'absolute_pos_embed': dict(decay_mult=0.0),
                                    'relative_position_bias_table': dict(decay_mult=0.0)}),
    clip_grad=dict(max_norm=5.0))
max_iters = 64000
warmup_iters = 1250
param_scheduler = [
    dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=warmup_iters),
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters, eta_min=0.0, by_epoch=False,
         begin=warmup_iters, end=max_iters),
]
