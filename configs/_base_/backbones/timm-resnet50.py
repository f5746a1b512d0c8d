# ResNet-50 from timm (resnet50, through mmjigsaw's TimmBackbone) as its Montage pre-training and a
# detector build it: configs/jigsaw/jigsaw_timm-resnet50_*.py. timm's feature indices of a ResNet:
# 0 is the stem (stride 2), 1-4 the stages at strides 4, 8, 16, 32 (256, 512, 1,024, 2,048 channels).
# The registry prefix and custom_imports let mmdet's detectors build it.
custom_imports = dict(imports=['mmjigsaw.models'], allow_failed_imports=False)
timm_resnet50 = dict(type='mmjigsaw.TimmBackbone', model_name='resnet50')
