# Runtime shared by every detector config of mmjigsaw: mmdet's own default runtime, with TensorBoard.
_base_ = 'mmdet::_base_/default_runtime.py'

# The neck and heads start from the same weights for a seed whatever the backbone starts from (a
# pre-trained one draws no random numbers, a random one many), so a seed's runs pair up across arms.
default_hooks = dict(partwise_init=dict(type='mmjigsaw.PartwiseInitHook'))

# Scalars (losses, lr, coco/bbox_mAP) go to JSON under <work_dir>/<timestamp>/vis_data/ and to a
# TensorBoard event file beside it (tensorboard --logdir work_dirs/).
vis_backends = [dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')]
visualizer = dict(type='DetLocalVisualizer', vis_backends=vis_backends, name='visualizer')
