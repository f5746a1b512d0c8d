# The demo detector fine-tuned from the Montage-pre-trained demo backbone (same schedule as the
# scratch baseline). `make demo` exports the backbone to this path.
_base_ = './faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py'

pretrained = 'work_dirs/demo/backbone.pth'
model = dict(backbone=dict(init_cfg=dict(_delete_=True, type='Pretrained', checkpoint=pretrained)))
