"""How a state dict fits a model, and reading a checkpoint as mmengine's runner does."""
from collections import OrderedDict

import pytest
import torch
from torch import nn

from mmjigsaw.engine import describe_misfit, load_runner_checkpoint, state_dict_fit, state_dict_of
from mmjigsaw.engine.state_dicts import runner_state_dict
from mmjigsaw.errors import DataError


def test_the_tensors_of_a_checkpoint_are_found_in_its_state_dict_or_model_entry():
    tensors = {'w': torch.ones(1)}
    assert [state_dict_of(c) for c in (dict(state_dict=tensors), dict(model=tensors), tensors)] == [tensors] * 3


class _Renamed(nn.Module):
    """A module that renamed its layer in version 2 and migrates older state dicts while loading, as
    mmcv's and mmdet's modules do."""
    _version = 2

    def __init__(self):
        super().__init__()
        self.new = nn.Linear(1, 1)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
        if (local_metadata.get('version') or 1) < 2:
            for name in ('weight', 'bias'):
                if f'{prefix}old.{name}' in state_dict:
                    state_dict[f'{prefix}new.{name}'] = state_dict.pop(f'{prefix}old.{name}')
        super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)


def test_a_runner_checkpoint_loads_as_mmengine_loads_it(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))
    state = {k: v.clone() for k, v in model.state_dict().items()}
    cases = dict(plain=dict(state_dict=state),
                 ddp=dict(state_dict={'module.' + k: v for k, v in state.items()}),
                 old_batchnorm=dict(state_dict={k: v for k, v in state.items() if 'num_batches' not in k}))
    for name, checkpoint in cases.items():
        torch.save(checkpoint, str(tmp_path / f'{name}.pth'))
        load_runner_checkpoint(str(tmp_path / f'{name}.pth'), model, 'the toy model')
    torch.save(dict(state_dict={k: v + 1 for k, v in state.items()}), str(tmp_path / 'plus_one.pth'))
    load_runner_checkpoint(str(tmp_path / 'plus_one.pth'), model, 'the toy model')
    assert torch.equal(model[0].bias, state['0.bias'] + 1)  # loaded
    renamed = _Renamed()
    version_1 = OrderedDict([('old.weight', torch.full((1, 1), 3.0)), ('old.bias', torch.ones(1))])
    version_1._metadata = OrderedDict([('', dict(version=1))])
    torch.save(dict(state_dict=version_1), str(tmp_path / 'version_1.pth'))
    load_runner_checkpoint(str(tmp_path / 'version_1.pth'), renamed, 'the renamed model')  # migrated, not missing
    assert runner_state_dict(dict(state_dict=version_1), 'v1')._metadata == version_1._metadata  # versions kept
    assert renamed.new.weight.item() == 3.0 and renamed.new.bias.item() == 1.0
    torch.save(dict(state_dict={'new.weight': torch.ones(2, 1), 'new.bias': torch.ones(1), 'extra': torch.ones(1)}),
               str(tmp_path / 'wide.pth'))
    with pytest.raises(DataError, match=r'wide\.pth does not fit the renamed model: 1 of another shape \(new\.weight: '
                                        r'\(2, 1\) vs \(1, 1\)\)\.$'):
        load_runner_checkpoint(str(tmp_path / 'wide.pth'), renamed, 'the renamed model')
    wide_1 = OrderedDict([('old.weight', torch.ones(2, 1)), ('old.bias', torch.ones(1)), ('extra', torch.ones(1))])
    wide_1._metadata = version_1._metadata
    torch.save(dict(state_dict=wide_1), str(tmp_path / 'wide_1.pth'))  # another shape under a migrated key
    with pytest.raises(DataError, match=r'wide_1\.pth does not fit the renamed model: size mismatch for new\.weight'):
        load_runner_checkpoint(str(tmp_path / 'wide_1.pth'), renamed, 'the renamed model')
    torch.save(dict(state_dict={'new.weight': torch.ones(1, 1), 'new.bias': torch.ones(1), 'extra': torch.ones(1)}),
               str(tmp_path / 'extra.pth'))
    load_runner_checkpoint(str(tmp_path / 'extra.pth'), renamed, 'the renamed model')  # unexpected keys are allowed
    torch.save(dict(model=state), str(tmp_path / 'other_layout.pth'))  # mmengine would load nothing from it
    with pytest.raises(DataError, match=r'other_layout\.pth: it has no "state_dict" entry, and as a plain state dict '
                                        r"it holds entries that are not name -> tensor \('model': dict\)"):
        load_runner_checkpoint(str(tmp_path / 'other_layout.pth'), model, 'the toy model')
    torch.save(dict(state_dict={k: v for k, v in state.items() if k.startswith('1.')}), str(tmp_path / 'half.pth'))
    with pytest.raises(DataError, match=r'half\.pth does not fit the toy model: 2 missing \(0\.weight, 0\.bias\)\. '
                                        r'Use another\.$'):
        load_runner_checkpoint(str(tmp_path / 'half.pth'), model, 'the toy model', hint='Use another.')
    torch.save(dict(state_dict={**state, '0.weight': torch.ones(5, 3, 1, 1)}), str(tmp_path / 'wider.pth'))
    with pytest.raises(DataError, match=r'1 of another shape \(0\.weight: \(5, 3, 1, 1\) vs \(4, 3, 1, 1\)\)'):
        load_runner_checkpoint(str(tmp_path / 'wider.pth'), model, 'the toy model')


def test_the_fit_of_a_state_dict_lists_missing_unexpected_and_reshaped_keys():
    reference = dict(a=torch.zeros(3), b=torch.zeros(2, 2), c=torch.zeros(1), d=torch.zeros(1), e=torch.zeros(1))
    state = dict(a=torch.zeros(4), b=torch.zeros(2, 2), z=torch.zeros(1))
    fit = state_dict_fit(state, reference)
    assert fit == dict(missing=['c', 'd', 'e'], unexpected=['z'], shape=['a: (4,) vs (3,)'])
    assert describe_misfit(fit) == '3 missing (c, d, e); 1 unexpected (z); 1 of another shape (a: (4,) vs (3,))'
    assert describe_misfit(fit, ('shape',)) == '1 of another shape (a: (4,) vs (3,))'
    fit['missing'].append('f')
    assert describe_misfit(fit, ('missing',)) == '4 missing (c, d, e, ...)'
    assert describe_misfit(state_dict_fit(reference, reference)) == ''


@pytest.mark.parametrize('checkpoint, message', [
    (torch.ones(3), r'it has no "state_dict" entry, and as a plain state dict it holds a Tensor, not names'),
    ([1, 2], r'it has no "state_dict" entry, and as a plain state dict it holds a list, not names -> tensors'),
    (dict(state_dict=None), r'its "state_dict" holds a NoneType, not names -> tensors'),
    ({0: torch.ones(1)}, r'it has no .* it holds entries that are not name -> tensor \(0: Tensor\)'),
    (dict(state_dict={'w': [1.0]}), r"its \"state_dict\" holds entries that are not name -> tensor \('w': list\)"),
])
def test_a_checkpoint_without_a_state_dict_is_named(tmp_path, checkpoint, message):
    torch.save(checkpoint, str(tmp_path / 'odd.pth'))
    with pytest.raises(DataError, match=r'odd\.pth: ' + message):
        load_runner_checkpoint(str(tmp_path / 'odd.pth'), nn.Linear(1, 1), 'a linear layer')
