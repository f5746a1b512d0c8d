"""The runs of a study: keys, the pre-training behind a fine-tuning, equal compute's length."""
from mmjigsaw.study.cells import Cell, EqualComputeCell


def test_cell_keys_name_the_run_and_its_pretraining():
    montage = Cell('finetune', 'r18', 'warp', 'montage', 4, 1)
    assert montage.key == 'finetune_r18_warp_4e_seed1'
    assert montage.pretraining.key == 'pretrain_r18_warp_seed1'
    assert Cell('finetune', 'mbv2', '', 'imagenet', 4, 0).key == 'finetune_mbv2_imagenet_4e_seed0'


def test_equal_compute_has_no_length_before_its_calibration():
    run = EqualComputeCell('r18', 8, 2, 4)
    assert run.key == 'finetune_r18_scratch-equal-to-8e_seed2' and run.needs_calibration
    assert run.resolve(lambda backbone, epochs: None) is None  # no calibration: no length
    assert run.resolve(lambda backbone, epochs: epochs + 3) == Cell('finetune', 'r18', '', 'scratch', 11, 2)
    fixed = Cell('finetune', 'r18', 'erf', 'montage', 4, 0)
    assert fixed.resolve(lambda backbone, epochs: None) is fixed and not fixed.needs_calibration
