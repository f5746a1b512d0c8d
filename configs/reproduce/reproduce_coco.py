# The same study at the paper's scale: COCO train2017 / val2017, the paper's recipes, 8 GPUs per run.
#   python tools/analysis_tools/reproduce.py configs/reproduce/reproduce_coco.py --out work_dirs/reproduce_coco \
#       --doc docs/reproduction_coco.md [--only curve,init]
# Every cell is one `bash tools/dist_train.sh CONFIG 8` run; a rerun skips finished cells. Rough cost
# on 8 current GPUs: a pre-training run is hours (docs/benchmarks.md), a 13-epoch fine-tuning half a
# day; the curve and initialisation rows with 3 seeds are some 40 runs, so start with --only.
_base_ = './reproduce_demo.py'

data = dict(
    _delete_=True,
    root='data/coco',
    train=dict(ann='annotations/instances_train2017.json', img='train2017/'),
    val=dict(ann='annotations/instances_val2017.json', img='val2017/'),
    extract_workers=16)

backbones = dict(
    _delete_=True,
    r50=dict(
        label='ResNet-50',
        pretrain='configs/jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py',
        finetune=dict(
            montage='configs/det/faster-rcnn_r50_fpn_jigsaw-pre_8xb2-13e_coco.py',
            scratch='configs/det/faster-rcnn_r50_fpn_scratch_8xb2-13e_coco.py')),
    mbv2=dict(
        _base_.backbones.mbv2,  # the demo study's label and ImageNet weights, the COCO configs
        pretrain='configs/jigsaw/jigsaw_mobilenetv2_8xb64-coslr-64k_coco.py',
        finetune=dict(
            montage='configs/det/faster-rcnn_mobilenetv2_fpn_jigsaw-pre_8xb2-13e_coco.py',
            imagenet='configs/det/faster-rcnn_mobilenetv2_fpn_imagenet-pre_8xb2-13e_coco.py',
            scratch='configs/det/faster-rcnn_mobilenetv2_fpn_scratch_8xb2-13e_coco.py')),
)

variants = {
    'blockwise': dict(pretrain='configs/jigsaw/jigsaw-blockwise_resnet50_8xb64-coslr-64k_coco.py'),
    'global': dict(pretrain='configs/jigsaw/jigsaw-global_resnet50_8xb64-coslr-64k_coco.py'),
}

# The paper's fine-tuning: lr x0.1 at epochs 9 and 12 of 13, the same fractions for longer runs.
lr_steps = [9 / 13, 12 / 13]

# The same parts but the controls (no COCO configs for them yet), 3 seeds each; no extension. The raw
# store of COCO's samples is large (uncompressed crops): the `store` part needs the disk for it.
parts = dict(
    _delete_=True,
    curve=dict(backbone='r50', lengths=[13, 26, 39], seeds=[0, 1, 2], same_schedule_length=13),  # 1x, 2x, 3x
    heads=dict(backbone='r50', variants=['erf', 'blockwise', 'global', 'tau0.5', 'tau1.0'], length=13, seeds=[0, 1, 2]),
    context=dict(backbone='r50', variants=['erf', 'bare'], length=13, seeds=[0, 1, 2]),
    assembly=dict(backbone='r50', variants=['erf', 'warp'], length=13, seeds=[0, 1, 2]),
    store=dict(backbone='r50', variants=['erf', 'raw'], length=13, seeds=[0, 1, 2]),
    init=dict(backbones=['r50', 'mbv2'], length=13, seeds=[0, 1, 2]),
)

# The demo study's test and smallest effect (box AP 0.01); no earlier COCO study to estimate the seeds'
# power from, so 3 seeds a row.
analysis = dict(first_study=None, power_from=dict(_delete_=True), choices=[
    'Complete schedules per length (1x, 2x, 3x: the paper\'s lr steps at 9/13 and 12/13 of each), evaluated at '
    'their ends; random init at the same schedule at 13 epochs only, where equal compute is calibrated.',
    'The ablations at the paper\'s 13 epochs; no controls (no COCO configs for them yet).'])

launcher = dict(type='dist', gpus=8)
