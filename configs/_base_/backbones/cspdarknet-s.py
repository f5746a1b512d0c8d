# YOLOX-S's backbone (mmdet's CSPDarknet, deepen 0.33, widen 0.5) as its Montage pre-training and the
# YOLOX detectors build it: configs/jigsaw/jigsaw_cspdarknet-s_*.py and configs/det/yolox_s_*.py.
# Index 4 is the SPP stage (512 channels, stride 32); YOLOX's neck reads 2, 3, 4.
cspdarknet_s = dict(
    type='mmdet.CSPDarknet',
    deepen_factor=0.33,
    widen_factor=0.5,
    use_depthwise=False,
    spp_kernal_sizes=(5, 9, 13),
    act_cfg=dict(type='Swish'))
