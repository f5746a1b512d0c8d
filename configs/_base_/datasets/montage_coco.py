# Montages from a COCO train2017 sample store, made with:
#   python tools/extract_samples.py --ann data/coco/annotations/instances_train2017.json \
#       --img-dir data/coco/train2017 --out data/coco/store_train2017 --workers 16

train_pipeline = [
    dict(
        type='JigsawAssemble',
        # 224 x 224 canvas cut at 64 px: R1 64x64, R2 64x160, R3 160x64, R4 160x160
        template=dict(canvas=224, cut=64),
        stride=32,
        scale=(0.8, 1.5),  # per-sample rescale, aspect ratio kept
        flip_prob=0.5),
    dict(type='PackJigsawInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='mmjigsaw.montage_collate'),  # stacks into shared memory in the workers
    dataset=dict(
        type='MontageDataset',
        store='data/coco/store_train2017',
        pipeline=train_pipeline,
        num_montages=64000 * 512,  # every montage of the 64k x 512 schedule is new
        seed=0))
