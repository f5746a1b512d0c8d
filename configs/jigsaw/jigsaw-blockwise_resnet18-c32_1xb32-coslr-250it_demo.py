# Head ablation on the demo data: each region pooled and classified against its own label (the
# paper's "block-wise" labelling) instead of the ERF-adaptive dense head.
_base_ = './jigsaw_resnet18-c32_1xb32-coslr-250it_demo.py'

model = dict(head=dict(_delete_=True, type='BlockwiseClsHead', num_classes=7,
                       template=dict(canvas=224, cut=64), stride=32))
custom_hooks = []  # no ERF table to refresh
