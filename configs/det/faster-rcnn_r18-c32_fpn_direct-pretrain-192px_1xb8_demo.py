# A control of the reproduction study, the strongest peer's premise: direct detection pre-training (Li,
# Zhang and Zhang, "Rethinking Training from Scratch for Object Detection", arXiv 2106.03112). The whole
# detector trains from random initialisation on the same detection data at low resolution (cheap
# epochs, BN with batch statistics), then loads into the full-resolution detector of
# faster-rcnn_r18-c32_fpn_direct-pre_1xb8-4e_demo.py for fine-tuning. Same detector, anchors and
# optimiser as the random-init baseline; the study sets the epochs so that pre-training and
# fine-tuning together cost what Montage pre-training and its fine-tuning cost.
_base_ = './faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py'

# NOTE [choice]: half the demo's 384 px, as the paper pre-trains COCO at a fraction of 1333x800
low_res = (192, 192)
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='Resize', scale=low_res, keep_ratio=True),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackDetInputs'),
]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=low_res, keep_ratio=True),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]))
test_dataloader = val_dataloader
