# MobileNetV2 (width 1.0, mmdet's implementation) as its Montage pre-training and its detectors build it:
# configs/jigsaw/jigsaw_mobilenetv2_*.py and configs/det/faster-rcnn_mobilenetv2_fpn_*.py. Its outputs:
# index 7 is the 1x1 conv to 1,280 channels at stride 32 (the pre-training head reads it); indices
# 1, 2, 4, 7 are strides 4, 8, 16, 32 with 24, 32, 96, 1,280 channels (a detector's FPN levels).
mobilenet_v2 = dict(type='mmdet.MobileNetV2', widen_factor=1.0)
