# Ablation (docs/method.md §4): each region pooled and classified against its own label.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(head=dict(_delete_=True, type='BlockwiseClsHead', num_classes=80,
                       template=dict(canvas=224, cut=64), stride=32))
custom_hooks = []  # no ERF table to refresh
