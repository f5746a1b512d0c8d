# Montage pre-training of timm's ConvNeXt-T (convnext_tiny through TimmBackbone) on COCO train2017: the
# paper's schedule of jigsaw_resnet50_8xb64-coslr-64k_coco.py (64k iterations of 512 montages, warm-up
# then cosine, ERF refresh every 5k) with another backbone and the Swin-T config's optimiser. The head
# reads stage 4 (768 channels, stride 32). The export (extract_backbone.py, TimmBackbone's key names)
# loads into configs/det/faster-rcnn_timm-convnext-t_fpn_jigsaw-pre_8xb2-13e_coco.py; with --to timm it
# loads strict=True into timm.create_model('convnext_tiny', num_classes=0).
_base_ = ['./jigsaw_swin-t-p4-w7_8xb64-adamw-coslr-64k_coco.py', '../_base_/backbones/timm-convnext-t.py']

model = dict(backbone=dict(_delete_=True, **_base_.timm_convnext_t, out_indices=(3, )))  # Swin-T replaced whole

# NOTE [choice]: AdamW, inherited from the Swin-T config (lr 5e-4 at 512 montages, weight decay 0.05
# off the norms and biases, the paper's warm-up/cosine shape): SGD at lr 0.8 is the paper's choice for
# ResNets, and ConvNeXt (LayerNorm, GELU) trains with AdamW in its own paper, lr 4e-3 per 4,096 images,
# which scaled to 512 is the same 5e-4.
# NOTE: timm keeps the classifier's norm (head.norm) with num_classes=0 and it feeds no loss here, so
# DDP looks for unused parameters (model_wrapper_cfg, inherited).
# NOTE: timm starts ConvNeXt's layer scale at 1e-6, so before training a block passes almost nothing,
# a stride-32 position's ERF is its own 32 x 32 patch and the refresh at iteration 0 keeps the one-hot
# (block-wise) table; the refreshes every 5k iterations follow the blocks as they grow.
