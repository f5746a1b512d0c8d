# Swin-T (patch 4, window 7; mmdet's SwinTransformer) as its Montage pre-training and its detectors
# build it: configs/jigsaw/jigsaw_swin-t-p4-w7_*.py and configs/det/mask-rcnn_swin-t-p4-w7_fpn_*.py.
swin_t = dict(
    type='mmdet.SwinTransformer',
    embed_dims=96,
    depths=[2, 2, 6, 2],
    num_heads=[3, 6, 12, 24],
    window_size=7,
    mlp_ratio=4,
    qkv_bias=True,
    drop_path_rate=0.2,
    patch_norm=True,
    # NOTE: all four outputs in the pre-training too, so that the output norms norm0..norm3 of the
    # detector's Swin exist there and the export loads strictly
    out_indices=(0, 1, 2, 3),
    convert_weights=False)  # NOTE: mmdet key names already; True would rename them as for the official files
