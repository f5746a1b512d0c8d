# Short name for the paper's recipe: configs/jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py
_base_ = './jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py'

# NOTE: the same work dir as the long name's default (work_dirs/<config name>), so that training
# with either name leaves iter_64000.pth where the README's export command and the
# configs/det/*_r50_*_jigsaw-pre_* detector configs read it. --work-dir still overrides it.
work_dir = 'work_dirs/jigsaw_resnet50_8xb64-coslr-64k_coco'
