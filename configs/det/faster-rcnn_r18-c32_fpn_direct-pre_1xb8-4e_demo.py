# A control of the reproduction study: the detector of the direct detection pre-training
# (faster-rcnn_r18-c32_fpn_direct-pretrain-192px_1xb8_demo.py, the whole detector at 192 px) fine-tuned
# at the demo's full 384 px. Every weight (backbone, FPN, RPN, RoI head) starts from that checkpoint;
# trained as the random-init baseline trains (nothing frozen, BN with batch statistics), since its BN
# statistics come from another resolution. The study passes its checkpoint as load_from:
#   python tools/train.py configs/det/faster-rcnn_r18-c32_fpn_direct-pretrain-192px_1xb8_demo.py
_base_ = './faster-rcnn_r18-c32_fpn_scratch_1xb8-4e_demo.py'

load_from = 'work_dirs/faster-rcnn_r18-c32_fpn_direct-pretrain-192px_1xb8_demo/epoch_4.pth'
