# The seeded small-scale reproduction of the paper's claims on the built-in demo data (2 CPU cores):
#   python tools/analysis_tools/reproduce.py configs/reproduce/reproduce_demo.py --out work_dirs/reproduce
# Every run is one `tools/train.py` of a config below with a seed; docs/reproduction.md explains.

# The detection data: the demo dataset, rendered if missing (tools/misc/make_demo_dataset.py).
data = dict(
    root='data/demo',
    train=dict(ann='annotations/instances_train.json', img='train/'),
    val=dict(ann='annotations/instances_val.json', img='val/'),
    demo=dict(num_train=300, num_val=100, seed=0),
    extract_workers=2)

# Sample stores made from the training split (tools/extract_samples.py): the method's positives
# (each side enlarged by U(0, w/2)) and, for the context ablation, the bare boxes.
stores = dict(context=dict(context=0.5), bare=dict(context=0.0))

# Backbones: a pre-training config (its ERF-adaptive recipe) and one detector config per initialisation.
backbones = dict(
    r18=dict(
        label='ResNet-18 (half width)',
        pretrain='configs/jigsaw/jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py',
        finetune=dict(
            montage='configs/det/faster-rcnn_r18-c32_fpn_jigsaw-pre_1xb8-4e_demo.py',
            scratch='configs/det/faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py')),
    mbv2=dict(
        label='MobileNetV2',
        pretrain='configs/jigsaw/jigsaw_mobilenetv2_1xb32-coslr-250it_demo.py',
        finetune=dict(
            montage='configs/det/faster-rcnn_mobilenetv2_fpn_jigsaw-pre_1xb8-4e_demo.py',
            imagenet='configs/det/faster-rcnn_mobilenetv2_fpn_imagenet-pre_1xb8-4e_demo.py',
            scratch='configs/det/faster-rcnn_mobilenetv2_fpn_scratch_1xb8-4e_demo.py'),
        imagenet='mobilenet_v2'),  # torchvision's ImageNet-1k weights, converted to mmdet's keys
)

# Pre-training variants: the method ('erf') and the paper's ablations, each a config, config
# options and/or a store on top of the backbone's pre-training config.
variants = {
    'erf': dict(label='ERF-adaptive dense head, tau 0.7 (the method)'),
    'blockwise': dict(label='block-wise head',
                      pretrain='configs/jigsaw/jigsaw-blockwise_resnet18-c32_1xb32-coslr-250it_demo.py'),
    'global': dict(label='global head', pretrain='configs/jigsaw/jigsaw-global_resnet18-c32_1xb32-coslr-250it_demo.py'),
    'tau0.5': dict(label='ERF-adaptive, tau 0.5', options={'model.head.tau': 0.5}),
    'tau1.0': dict(label='ERF-adaptive, tau 1.0', options={'model.head.tau': 1.0}),
    'bare': dict(label='positives without context (bare box)', store='bare'),
    'warp': dict(label='each sample warped to its region', options={'train_dataloader.dataset.pipeline.0.fit': 'warp'}),
}

# Fine-tuning lengths in epochs of the detector configs' schedule; the lr steps x0.1 at these
# fractions of the run (the demo configs: after 3 of 4 epochs).
lr_steps = [0.75]

# The study, most important part first. `equal compute`: a scratch run gets the Montage
# pre-training's CPU time as extra fine-tuning epochs (measured in the study itself, first seed).
parts = dict(
    curve=dict(backbone='r18', lengths=[4, 8, 12], seeds=[0, 1, 2]),
    init=dict(backbones=['r18', 'mbv2'], length=4, seeds=[0, 1, 2]),
    heads=dict(backbone='r18', variants=['erf', 'blockwise', 'global', 'tau0.5', 'tau1.0'], length=4, seeds=[0, 1]),
    context=dict(backbone='r18', variants=['erf', 'bare'], length=4, seeds=[0, 1]),
    assembly=dict(backbone='r18', variants=['erf', 'warp'], length=4, seeds=[0, 1]),
)

# How each training runs: `python tools/train.py` here; `bash tools/dist_train.sh` with `gpus` for
# several GPUs.
launcher = dict(type='python')

# --quick: tiny data and schedules, what the test suite runs (minutes on 2 cores).
quick = dict(
    data=dict(root='data/demo_quick', train=dict(ann='annotations/instances_train.json', img='train/'),
              val=dict(ann='annotations/instances_val.json', img='val/'),
              demo=dict(num_train=12, num_val=4, seed=0), extract_workers=2),
    pretrain_options={'train_cfg.max_iters': 4, 'train_dataloader.batch_size': 8,
                      'train_dataloader.num_workers': 0, 'train_dataloader.persistent_workers': False,
                      'default_hooks.logger.interval': 1},
    finetune_options={'train_dataloader.batch_size': 4, 'train_dataloader.num_workers': 0,
                      'train_dataloader.persistent_workers': False, 'val_dataloader.num_workers': 0,
                      'val_dataloader.persistent_workers': False, 'default_hooks.logger.interval': 1},
    lengths=[1, 2], length=1, seeds=[0], extra_epochs=1)
