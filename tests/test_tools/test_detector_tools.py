"""The detector tools end to end on a tiny Faster R-CNN and a few demo images: tools/train.py (with and
without validation, TensorBoard), tools/test.py, tools/dist_test.sh, tools/misc/print_config.py and
analyze_logs.py on a fine-tuning log."""
import glob
import json
import os
import os.path as osp
import pickle
import re
import socket
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from mmjigsaw.study.logs import load_json_log, resolve_log
from helpers import ROOT, run_tool

# A Faster R-CNN of mmdet's (mmdet:: bases) at toy size with mmjigsaw's detector runtime: ResNet-18 at
# 1/8 width, 128 px images, one epoch of four iterations, evaluated with COCO box AP.
TINY_DETECTOR = '''
_base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', 'mmdet::_base_/datasets/coco_detection.py',
          '{root}/configs/_base_/det_runtime.py']
classes = ('disc', 'tile', 'kite', 'pole', 'bottle', 'plank', 'wagon')
model = dict(
    backbone=dict(depth=18, base_channels=8, init_cfg=None),
    neck=dict(in_channels=[8, 16, 32, 64], out_channels=16),
    rpn_head=dict(in_channels=16, feat_channels=16),
    roi_head=dict(bbox_roi_extractor=dict(out_channels=16),
                  bbox_head=dict(in_channels=16, fc_out_channels=32, num_classes=len(classes))))
data_root = '{data}/'
metainfo = dict(classes=classes)
train_pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
                  dict(type='Resize', scale=(128, 128), keep_ratio=True), dict(type='PackDetInputs')]
test_pipeline = [dict(type='LoadImageFromFile'), dict(type='Resize', scale=(128, 128), keep_ratio=True),
                 dict(type='LoadAnnotations', with_bbox=True),
                 dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor'))]
train_dataloader = dict(batch_size=4, num_workers=0, persistent_workers=False, dataset=dict(
    data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_train.json',
    data_prefix=dict(img='train/'), pipeline=train_pipeline))
val_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    data_root=data_root, metainfo=metainfo, ann_file='annotations/instances_val.json',
    data_prefix=dict(img='val/'), pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/instances_val.json')
test_evaluator = val_evaluator
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=2)]
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=1e-4))
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
'''


@pytest.fixture(scope='module')
def tiny_config(demo_root, tmp_path_factory):
    path = tmp_path_factory.mktemp('det_config') / 'faster-rcnn_tiny.py'
    path.write_text(TINY_DETECTOR.format(root=ROOT, data=demo_root))
    return str(path)


def _train(config, work_dir, *extra):
    result = run_tool('tools/train.py', config, '--work-dir', str(work_dir), *extra)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (scalars,) = glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'scalars.json'))
    with open(scalars) as f:
        return result, [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def trained(tiny_config, tmp_path_factory):
    """One epoch with validation: (work dir, tools/train.py result, its JSON log records)."""
    work_dir = tmp_path_factory.mktemp('det_run')
    result, records = _train(tiny_config, work_dir)
    return work_dir, result, records


@pytest.fixture(scope='module')
def pseudo_truth(tiny_config, trained, demo_root, tmp_path_factory):
    """COCO annotations of the val images whose boxes are the trained checkpoint's own top-scoring
    detection per image, found here with mmdet's inference API (not through tools/test.py)."""
    from mmdet.apis import inference_detector, init_detector
    from mmengine.registry import DefaultScope
    work_dir, _, _ = trained
    with open(osp.join(demo_root, 'annotations', 'instances_val.json')) as f:
        coco = json.load(f)
    with DefaultScope.overwrite_default_scope('mmdet'):
        model = init_detector(tiny_config, str(work_dir / 'epoch_1.pth'), device='cpu')
        results = inference_detector(model, [osp.join(demo_root, 'val', im['file_name']) for im in coco['images']])
    cat_ids = {c['name']: c['id'] for c in coco['categories']}
    classes = model.dataset_meta['classes']
    coco['annotations'] = []
    for image, result in zip(coco['images'], results):
        top = int(result.pred_instances.scores.argmax())
        x1, y1, x2, y2 = result.pred_instances.bboxes[top].tolist()
        coco['annotations'].append(dict(id=len(coco['annotations']) + 1, image_id=image['id'], iscrowd=0,
                                        bbox=[x1, y1, x2 - x1, y2 - y1], area=(x2 - x1) * (y2 - y1),
                                        category_id=cat_ids[classes[int(result.pred_instances.labels[top])]]))
    path = tmp_path_factory.mktemp('pseudo') / 'pseudo_truth.json'
    path.write_text(json.dumps(coco))
    return str(path)


def _options(ann_file):
    # one image per batch: no padding to a batch-mate's size, so the predictions do not depend on
    # how the images are split over processes
    return [f'test_dataloader.dataset.ann_file={ann_file}', f'test_evaluator.ann_file={ann_file}',
            'test_dataloader.batch_size=1']


def _metrics(text):
    """``coco/bbox_mAP...: value`` pairs that tools/test.py printed."""
    return {k: float(v) for k, v in re.findall(r'^\s+(coco/bbox_mAP\w*): ([\d.]+)$', text, re.M)}


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.slow
class TestDetectorTools:

    def test_training_validates_and_logs_to_tensorboard(self, trained):
        work_dir, result, records = trained
        validation = [r for r in records if 'coco/bbox_mAP' in r]
        assert len(validation) == 1 and validation[0]['step'] == 1  # once, after epoch 1
        (event_file,) = glob.glob(osp.join(str(work_dir), '*', 'vis_data', 'events.out.tfevents.*'))
        events = EventAccumulator(event_file, size_guidance={'scalars': 0})
        events.Reload()
        tags = events.Tags()['scalars']
        assert {'loss', 'loss_cls', 'loss_rpn_cls', 'lr', 'coco/bbox_mAP', 'coco/bbox_mAP_50'} <= set(tags)
        assert [e.step for e in events.Scalars('loss')] == [1, 2, 3, 4]
        assert events.Scalars('coco/bbox_mAP')[0].value == pytest.approx(validation[0]['coco/bbox_mAP'])
        assert 'pkg_resources is deprecated' not in result.stderr

    def test_test_py_reports_coco_ap_of_the_checkpoint(self, tiny_config, trained, pseudo_truth, tmp_path):
        work_dir, _, records = trained
        out = tmp_path / 'predictions.pkl'
        result = run_tool('tools/test.py', tiny_config, str(work_dir / 'epoch_1.pth'), '--work-dir',
                          str(tmp_path / 'test'), '--out', str(out), '--cfg-options', *_options(pseudo_truth))
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert f'evaluated {work_dir / "epoch_1.pth"} on 4 images' in result.stdout
        metrics = _metrics(result.stdout)
        # the checkpoint's own top boxes are the ground truth: matched exactly, so AP is the same at
        # every IoU threshold, and well above what any other weights would score
        assert metrics['coco/bbox_mAP_50'] > 0.25
        assert metrics['coco/bbox_mAP'] == metrics['coco/bbox_mAP_50'] == metrics['coco/bbox_mAP_75']
        with open(out, 'rb') as f:
            predictions = pickle.load(f)
        assert len(predictions) == 4 and all(len(p['pred_instances']['bboxes']) > 0 for p in predictions)
        assert 'pkg_resources is deprecated' not in result.stderr

    def test_test_py_refuses_a_checkpoint_that_does_not_fit_the_detector(self, tiny_config, trained, tmp_path):
        work_dir, _, _ = trained
        checkpoint = torch.load(str(work_dir / 'epoch_1.pth'), map_location='cpu', weights_only=False)
        checkpoint['state_dict'] = {k: v for k, v in checkpoint['state_dict'].items() if k.startswith('backbone.')}
        torch.save(checkpoint, str(tmp_path / 'backbone_only.pth'))
        result = run_tool('tools/test.py', tiny_config, str(tmp_path / 'backbone_only.pth'), '--work-dir',
                          str(tmp_path / 'test'))
        assert result.returncode != 0 and 'Traceback' not in result.stderr
        assert re.search(r'backbone_only\.pth does not fit the model of .*faster-rcnn_tiny\.py: \d+ missing '
                         r'\(neck\.', result.stderr), result.stderr[-2000:]
        assert 'evaluated' not in result.stdout

    def test_dist_test_sh_with_two_processes_gives_the_same_ap(self, tiny_config, trained, pseudo_truth, tmp_path):
        work_dir, _, _ = trained
        single = run_tool('tools/test.py', tiny_config, str(work_dir / 'epoch_1.pth'), '--work-dir',
                          str(tmp_path / 'single'), '--cfg-options', *_options(pseudo_truth))
        assert single.returncode == 0, single.stderr[-3000:]
        env = dict(os.environ, PORT=str(_free_port()), PYTHON=sys.executable)
        result = subprocess.run(['bash', 'tools/dist_test.sh', tiny_config, str(work_dir / 'epoch_1.pth'), '2',
                                 '--work-dir', str(tmp_path / 'dist'), '--cfg-options', *_options(pseudo_truth)],
                                cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        log = result.stdout + result.stderr
        assert result.returncode == 0, log[-4000:]
        assert 'Distributed launcher: pytorch' in log and 'GPU number: 2' in log
        assert _metrics(result.stdout) == _metrics(single.stdout) and _metrics(single.stdout)['coco/bbox_mAP'] > 0

    def test_train_no_validate_skips_the_evaluation(self, tiny_config, tmp_path):
        result, records = _train(tiny_config, tmp_path, '--no-validate')
        assert (tmp_path / 'epoch_1.pth').exists()
        assert [r['step'] for r in records] == [1, 2, 3, 4]  # the training iterations only
        assert not any(k.startswith('coco/') for r in records for k in r)
        assert 'Epoch(val)' not in result.stdout + result.stderr

    def test_plot_curve_of_a_fine_tuning_log(self, trained, tmp_path):
        work_dir, _, _ = trained
        out = tmp_path / 'curves.png'
        result = run_tool('tools/analysis_tools/analyze_logs.py', 'plot_curve', str(work_dir), '--out', str(out))
        assert result.returncode == 0, result.stderr
        assert 'plotted loss (4 points), acc (4 points), lr (4 points), coco/bbox_mAP (1 points)' in result.stdout
        assert out.exists()
        # the evaluation is drawn against the epoch, the training against the iteration
        log = load_json_log(resolve_log(str(work_dir)))
        assert log.curve('coco/bbox_mAP')[0::2] == ([1], 'epoch')
        assert log.curve('loss')[0::2] == ([1, 2, 3, 4], 'iteration')


@pytest.mark.slow
def test_print_config_resolves_mmdet_bases_and_options(tiny_config, tmp_path):
    saved = tmp_path / 'resolved.py'
    result = run_tool('tools/misc/print_config.py', tiny_config, '--cfg-options', 'model.backbone.depth=34',
                      '--save-path', str(saved))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('Config:\n') and f'wrote {saved}' in result.stdout
    assert "type='FasterRCNN'" in result.stdout  # from mmdet's base, not in the file itself
    assert result.stderr == ''  # no pkg_resources warnings, nothing else
    cfg = Config.fromfile(str(saved))  # the saved config stands alone
    assert cfg.model.type == 'FasterRCNN' and cfg.model.backbone.depth == 34
    assert cfg.model.rpn_head.anchor_generator.strides == [4, 8, 16, 32, 64]
    assert [b['type'] for b in cfg.visualizer.vis_backends] == ['LocalVisBackend', 'TensorboardVisBackend']
