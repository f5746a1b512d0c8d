# Montage pre-training of PVTv2-B2 on COCO train2017: the paper's schedule of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. The head reads stage 4 (512 channels,
# stride 32). The export loads into mmdet::pvt/retinanet_pvtv2-b2_fpn_1x_coco.py's backbone (its
# keys do not depend on out_indices).
_base_ = './jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.PyramidVisionTransformerV2',
        embed_dims=64,
        num_layers=[3, 4, 6, 3],
        drop_path_rate=0.1,
        out_indices=(3, )))
model_wrapper_cfg = None  # every parameter feeds the loss
