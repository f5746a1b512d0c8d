# Montage pre-training of HRNetV2p-W32 on COCO train2017: the paper's recipe of
# jigsaw_resnet50_8xb64-coslr-64k_coco.py with another backbone. HRNet keeps four branches to the end;
# the head reads the last, stride 32 (256 channels, 7 x 7 on the 224 canvas). The export loads into
# mmdet::hrnet/faster-rcnn_hrnetv2p-w32-1x_coco.py's backbone.
_base_ = './jigsaw_resnet50_8xb64-coslr-64k_coco.py'

model = dict(
    backbone=dict(
        _delete_=True,
        type='mmdet.HRNet',
        extra=dict(
            stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK', num_blocks=(4, ), num_channels=(64, )),
            stage2=dict(num_modules=1, num_branches=2, block='BASIC', num_blocks=(4, 4), num_channels=(32, 64)),
            stage3=dict(num_modules=4, num_branches=3, block='BASIC', num_blocks=(4, 4, 4),
                        num_channels=(32, 64, 128)),
            stage4=dict(num_modules=3, num_branches=4, block='BASIC', num_blocks=(4, 4, 4, 4),
                        num_channels=(32, 64, 128, 256))),
        norm_cfg=dict(type='SyncBN', requires_grad=True),
        norm_eval=False))

# NOTE: the last fusion's outputs at strides 4, 8 and 16 feed no loss here (the detector uses them)
model_wrapper_cfg = dict(type='MMDistributedDataParallel', find_unused_parameters=True)
