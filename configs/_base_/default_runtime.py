default_scope = 'mmjigsaw'

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=5000, max_keep_ckpts=3),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # stops a run whose model.head.num_classes differs from the sample store's classes
    class_num_check=dict(type='ClassNumCheckHook'),
    # warns when the schedule draws more montages than the dataset's num_montages (repeats)
    montage_repeat_check=dict(type='MontageRepeatCheckHook'),
    # the backbone starts from the same weights for a seed whatever the head (ablations pair up by seed)
    partwise_init=dict(type='PartwiseInitHook'),
)

env_cfg = dict(
    cudnn_benchmark=True,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)

# Scalars (loss, acc_region, lr, erf_own_weight, erf_own_share) and ERFVisualizationHook's images
# (erf/heatmap, erf/evolution) go to every backend: JSON and PNGs under <work_dir>/<timestamp>/vis_data/
# and a TensorBoard event file beside them (tensorboard --logdir work_dirs/). Add W&B or MLflow here:
# dict(type='WandbVisBackend'), dict(type='MLflowVisBackend').
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='Visualizer', vis_backends=vis_backends)

log_processor = dict(by_epoch=False, window_size=50)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
