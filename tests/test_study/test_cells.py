"""The runs of a study: keys, the pre-training behind a fine-tuning, runs whose length is calibrated."""
from mmjigsaw.study.calibration import Calibrations
from mmjigsaw.study.cells import Cell, DirectCell, EqualComputeCell, ExtensionCell


def test_cell_keys_name_the_run_and_its_pretraining():
    montage = Cell('finetune', 'r18', 'warp', 'montage', 4, 1)
    assert montage.key == 'finetune_r18_warp_4e_seed1'
    assert montage.pretraining.key == 'pretrain_r18_warp_seed1'
    assert Cell('finetune', 'mbv2', '', 'imagenet', 4, 0).key == 'finetune_mbv2_imagenet_4e_seed0'
    assert Cell('finetune', 'mbv2', '', 'imagenet', 4, 0).pretraining is None
    unfrozen = Cell('finetune', 'r18', 'erf', 'montage-unfrozen', 12, 2)
    assert unfrozen.key == 'finetune_r18_montage-unfrozen_12e_seed2' and unfrozen.source == 'montage-unfrozen'
    assert unfrozen.pretraining.key == 'pretrain_r18_erf_seed2'  # the method's pre-training, shared
    direct = Cell('finetune', 'r18', 'direct', 'direct', 12, 1, pretrain_epochs=16)
    assert direct.key == 'finetune_r18_direct-16e_12e_seed1' and direct.source == 'direct'
    assert direct.pretraining == Cell('pretrain', 'r18', 'direct', '', 16, 1)
    assert direct.pretraining.key == 'pretrain_r18_direct-16e_seed1'


def test_a_record_names_its_cell_and_row():
    cell = Cell('finetune', 'r18', 'erf', 'montage', 12, 2)
    record = dict(vars(cell), key=cell.key, bbox_mAP=0.2)
    assert Cell.of(record) == cell and Cell.of(record).source == 'erf'
    assert Cell.of(dict(record, variant='', init='scratch')).source == 'scratch'
    direct = Cell('finetune', 'r18', 'direct', 'direct', 12, 0, pretrain_epochs=5)
    assert Cell.of(vars(direct)) == direct and Cell.of(vars(direct)).key == 'finetune_r18_direct-5e_12e_seed0'


def test_equal_compute_has_no_length_before_its_calibration():
    run = EqualComputeCell('r18', 8, 2, 4)
    assert run.key == 'finetune_r18_scratch-equal-to-8e_seed2' and run.needs_calibration
    assert run.resolve(lambda backbone, epochs: None) is None  # no calibration: no length
    assert run.resolve(lambda backbone, epochs: epochs + 3) == Cell('finetune', 'r18', '', 'scratch', 11, 2)
    fixed = Cell('finetune', 'r18', 'erf', 'montage', 4, 0)
    assert fixed.resolve(lambda backbone, epochs: None) is fixed and not fixed.needs_calibration


def test_direct_and_extension_cells_wait_for_their_decisions():
    probe = Cell('pretrain', 'r18', 'direct', '', 2, 0)
    direct = DirectCell('r18', 12, 1, probe)
    assert direct.key == 'finetune_r18_direct_12e_seed1' and direct.needs_calibration
    assert direct.resolve(Calibrations({})) is None
    stored = {'r18/direct': dict(epochs=16), 'r18': dict(pretrain_compute=400.0, epoch_compute_montage=80.0,
                                                         epoch_compute_scratch=100.0)}
    assert direct.resolve(Calibrations(stored)).key == 'finetune_r18_direct-16e_12e_seed1'
    extension = ExtensionCell(EqualComputeCell('r18', 48, 0, 12))
    assert extension.key == 'finetune_r18_scratch-equal-to-48e_seed0' and extension.needs_calibration
    assert extension.resolve(Calibrations(stored)) is None  # not decided yet
    assert extension.resolve(Calibrations({**stored, 'r18/extension': dict(due=False)})) is None
    due = Calibrations({**stored, 'r18/extension': dict(due=True)})
    assert extension.resolve(due) == Cell('finetune', 'r18', '', 'scratch', 42, 0)  # E = round(-5.6)
    assert ExtensionCell(Cell('finetune', 'r18', 'erf', 'montage', 48, 0)).resolve(due).epochs == 48
