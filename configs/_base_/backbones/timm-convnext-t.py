# ConvNeXt-T from timm (convnext_tiny, through mmjigsaw's TimmBackbone) as its Montage pre-training and
# its detectors build it: configs/jigsaw/jigsaw_timm-convnext-t_*.py and
# configs/det/faster-rcnn_timm-convnext-t_fpn_*.py. timm's stage indices 0-3 are strides 4, 8, 16, 32
# with 96, 192, 384, 768 channels. The registry prefix and custom_imports let mmdet's detectors build it.
custom_imports = dict(imports=['mmjigsaw.models'], allow_failed_imports=False)
timm_convnext_t = dict(
    type='mmjigsaw.TimmBackbone',
    model_name='convnext_tiny',
    drop_path_rate=0.1)  # NOTE [choice]: ConvNeXt-T's stochastic depth in its own ImageNet training
