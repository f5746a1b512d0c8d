# RTMDet-S's backbone (mmdet's CSPNeXt P5, deepen 0.33, widen 0.5) as its Montage pre-training and the
# RTMDet detectors build it: configs/jigsaw/jigsaw_cspnext-s_*.py and configs/det/rtmdet_s_*.py.
# Index 4 has 512 channels at stride 32; RTMDet's neck reads 2, 3, 4.
cspnext_s = dict(
    type='mmdet.CSPNeXt',
    arch='P5',
    expand_ratio=0.5,
    deepen_factor=0.33,
    widen_factor=0.5,
    channel_attention=True,
    act_cfg=dict(type='SiLU', inplace=True))
