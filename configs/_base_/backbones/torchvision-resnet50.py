# ResNet-50 from torchvision (resnet50, through mmjigsaw's TorchvisionBackbone) as its Montage
# pre-training and a detector build it: configs/jigsaw/jigsaw_torchvision-resnet50_*.py. Its levels
# 0-3 are layer1..layer4 at strides 4, 8, 16, 32 (256, 512, 1,024, 2,048 channels). The registry prefix
# and custom_imports let mmdet's detectors build it.
custom_imports = dict(imports=['mmjigsaw.models'], allow_failed_imports=False)
torchvision_resnet50 = dict(type='mmjigsaw.TorchvisionBackbone', name='resnet50')
