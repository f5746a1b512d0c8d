# The paper's pre-training schedule (docs/method.md §6): 64k iterations of 512 montages,
# lr warmed up linearly 0.2 -> 0.8 over 1,250 iterations, then cosine to 0.
max_iters = 64000
warmup_iters = 1250

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.8, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.25, by_epoch=False, begin=0, end=warmup_iters),  # 0.2 -> 0.8
    dict(type='CosineAnnealingLR', T_max=max_iters - warmup_iters, eta_min=0.0, by_epoch=False,
         begin=warmup_iters, end=max_iters),
]

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters)

# lr 0.8 is for 512 montages per iteration (8 GPUs x 64); --auto-scale-lr rescales it
auto_scale_lr = dict(enable=False, base_batch_size=512)
