"""Pre-training, export and fine-tuning chain up as the README and the configs write it: the
checkpoint the export command reads is the one the pre-training command leaves, and the file it
writes is the one the detector configs load."""
import glob
import os
import os.path as osp
import re
import shlex
import subprocess
from typing import List

import pytest
from mmengine.config import Config

from mmjigsaw.apis import apply_run_options
from helpers import ROOT, pretrained_weights, readme_section

PRETRAINED = sorted(glob.glob(osp.join(ROOT, 'configs', 'det', '*-pre_*.py')))


def commands(text: str, tool: str) -> List[List[str]]:
    """The commands in ``text`` (lines joined at a trailing backslash, a leading ``#`` dropped)
    that run ``tool``, split into words from the tool on."""
    lines = [re.sub(r'^\s*#', '', line) for line in text.splitlines()]
    joined = re.sub(r'\\\n', ' ', '\n'.join(lines))
    found = []
    for line in joined.splitlines():
        if tool not in line:
            continue
        try:
            words = shlex.split(line.split('  #')[0])
        except ValueError:  # prose with an apostrophe
            continue
        if tool in words:
            found.append(words[words.index(tool):])
    return found


def train_work_dir(config: str) -> str:
    """Where ``python tools/train.py CONFIG`` writes (no --work-dir), relative to the repository."""
    cfg = apply_run_options(Config.fromfile(osp.join(ROOT, config)), config, 'none', None, None)
    return osp.normpath(cfg.work_dir)


def last_checkpoint(config: str) -> str:
    """The checkpoint an iteration-based pre-training config leaves at its end."""
    cfg = Config.fromfile(osp.join(ROOT, config))
    hook = cfg.default_hooks.checkpoint
    assert not hook.get('by_epoch', True) and hook.get('save_last', True), config
    return osp.join(train_work_dir(config), f'iter_{cfg.train_cfg.max_iters}.pth')


def test_readme_pretrain_export_finetune_chain():
    (train,) = [c for c in commands(readme_section('Pre-training'), 'tools/train.py') if len(c) == 2]
    (export,) = commands(readme_section('Fine-tuning detectors'), 'tools/model_converters/extract_backbone.py')
    det_configs = [c[1] for c in commands(readme_section('Fine-tuning detectors'), 'tools/dist_train.sh')]
    assert det_configs, 'the README fine-tunes no detector'
    src, out = export[1:3]
    assert osp.normpath(src) == last_checkpoint(train[1])
    for det in det_configs:
        assert pretrained_weights(Config.fromfile(osp.join(ROOT, det)).model.backbone) == out, det


def test_both_names_of_the_r50_recipe_train_into_one_work_dir():
    assert train_work_dir('configs/jigsaw_r50.py') == \
        train_work_dir('configs/jigsaw/jigsaw_resnet50_8xb64-coslr-64k_coco.py')


@pytest.mark.parametrize('path', PRETRAINED, ids=osp.basename)
def test_detector_config_header_chain(path):
    """The commands in a pre-trained detector config's header lead to its init_cfg checkpoint."""
    text = open(path).read()
    checkpoint = pretrained_weights(Config.fromfile(path).model.backbone)
    export = commands(text, 'tools/model_converters/extract_backbone.py')
    convert = commands(text, 'tools/model_converters/torchvision2mmdet.py')
    if export:
        (train,) = commands(text, 'tools/dist_train.sh') + commands(text, 'tools/train.py')
        (export,) = export
        src, out = export[1:3]
        assert osp.normpath(src) == last_checkpoint(train[1])
        assert checkpoint == out
    elif convert:
        assert convert[0][-1] == checkpoint
    elif '_direct-pre_' in path:  # the whole detector from the direct pre-training's last checkpoint
        (train,) = commands(text, 'tools/train.py')
        epochs = Config.fromfile(osp.join(ROOT, train[1])).train_cfg.max_epochs
        assert Config.fromfile(path).load_from == osp.join(train_work_dir(train[1]), f'epoch_{epochs}.pth')
    else:  # the demo detector: tools/run_demo.py exports to work_dirs/demo/backbone.pth
        assert '`make demo` exports the backbone' in text and checkpoint == 'work_dirs/demo/backbone.pth'


def run_slurm_train(tmp_path, *args: str) -> List[str]:
    """The train.py arguments tools/slurm_train.sh hands to a stand-in ``srun``."""
    fake = tmp_path / 'srun'
    fake.write_text('#!/usr/bin/env bash\nfor a in "$@"; do echo "$a"; done\n')
    fake.chmod(0o755)
    env = dict(os.environ, PATH=f'{tmp_path}:{os.environ["PATH"]}')
    out = subprocess.run(['bash', osp.join(ROOT, 'tools', 'slurm_train.sh'), *args], env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return out[next(i for i, a in enumerate(out) if a.endswith('tools/train.py')) + 1:]


@pytest.mark.slow
def test_slurm_train_keeps_the_config_work_dir(tmp_path):
    args = run_slurm_train(tmp_path, 'P', 'J', 'configs/jigsaw_r50.py')
    assert not any(a.startswith('--work-dir') for a in args)
    args = run_slurm_train(tmp_path, 'P', 'J', 'configs/jigsaw_r50.py', 'work_dirs/x', '--amp')
    assert args == ['configs/jigsaw_r50.py', '--work-dir=work_dirs/x', '--launcher=slurm', '--amp']
