# Short name for the paper's recipe: configs/jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py
_base_ = './jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py'
