# Ablation (docs/method.md §4): global average pooling + FC with one area-weighted soft label.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(head=dict(_delete_=True, type='GlobalClsHead', num_classes=80,
                       template=dict(canvas=224, cut=64), stride=32))
custom_hooks = []  # no ERF table to refresh
