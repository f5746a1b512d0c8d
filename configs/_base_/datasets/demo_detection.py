# The built-in demo detection data for mmdet detectors, sized for 2 CPU cores: images resized to fit
# 384 x 384, flip 0.5, COCO box AP on the 100 val images. The study renders it into data/demo, as does
# `python tools/misc/make_demo_dataset.py --out data/demo` (300 train / 100 val images, seed 0); `make demo`
# renders fewer into data/make_demo and points its runs there.
_base_ = 'mmdet::_base_/datasets/coco_detection.py'

classes = ('disc', 'tile', 'kite', 'pole', 'bottle', 'plank', 'wagon')
data_root = 'data/demo/'
metainfo = dict(classes=classes)
scale = (384, 384)

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]
train_dataloader = dict(
    batch_size=8, num_workers=2,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_train.json',
                 data_prefix=dict(img='train/'), pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4, num_workers=2,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_val.json',
                 data_prefix=dict(img='val/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
