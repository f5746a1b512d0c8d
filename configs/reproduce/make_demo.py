# `make demo` (tools/run_demo.py): one seed of the study's central comparison, Montage pre-training + L
# fine-tuning epochs against random init given the pre-training's compute (at least equal compute: see
# mmjigsaw/study/demo.py, extra_epochs), both evaluated after every epoch, sized to
# finish within 15 minutes on 2 CPU cores. The study's configs and recipe (reproduce_demo.py), cut down:
_base_ = './reproduce_demo.py'

# NOTE [demo]: fewer images than the study's 300 train / 100 val (same renderer and seed, so the same
# kind of data: shapes and patterns, one shared palette), in their own folder.
data = dict(root='data/make_demo', demo=dict(num_train=80, num_val=24, seed=0))

# One seed (0) of ResNet-18 (half width) at L = 8 fine-tuning epochs. Random init then gets
# E = round(P / f_m) more epochs: P the measured Montage pre-training compute (CPU s), f_m one Montage
# fine-tuning epoch's (mmjigsaw.study.demo.extra_epochs).
parts = dict(_delete_=True, init=dict(backbones=['r18'], length=8, seeds=[0]))

demo = dict(
    variant='erf',  # the method: ERF-adaptive dense head, tau 0.7
    # NOTE [demo]: 80 of the study's 250 pre-training iterations (batch 32), warm-up, cosine and ERF
    # refresh in proportion: the pre-training's compute comes twice into the demo's time (once spent,
    # once given to random init as extra epochs).
    pretrain_options={'train_cfg.max_iters': 80, 'train_dataloader.dataset.num_montages': 80 * 32,
                      'param_scheduler.0.end': 8, 'param_scheduler.1.begin': 8, 'param_scheduler.1.end': 80,
                      'param_scheduler.1.T_max': 80 - 8, 'custom_hooks.0.interval': 16,
                      'default_hooks.checkpoint.interval': 80},
    finetune_options={'train_cfg.val_interval': 1},  # box AP after every epoch: the curves
    # detections drawn: the first val images, each detector's max_boxes best boxes scoring at least score_thr
    # (0-1; the demo detectors are weak, so their best guesses are shown with their scores)
    detections=dict(num_images=3, score_thr=0.05, max_boxes=3, size=320))
