# The paper's recipe without an offline sample store: samples are extracted from the COCO images
# on the fly (PosNegExtract, the same extraction as tools/extract_samples.py). Slower: every montage
# decodes several full images (docs/method.md §7: about 6 ms against 0.15 ms a montage on one core), so it
# needs many more data workers to keep a GPU busy.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

train_dataloader = dict(
    num_workers=16,
    dataset=dict(
        _delete_=True,
        type='OnlineMontageDataset',
        ann_file='data/coco/annotations/instances_train2017.json',
        img_dir='data/coco/train2017',
        extract_pipeline=[dict(type='PosNegExtract', num_classes=80, neg_ratio=0.1, min_size=4)],
        pipeline={{_base_.train_pipeline}},
        num_montages=64000 * 512,
        seed=0))
