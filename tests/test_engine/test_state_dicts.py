"""How a state dict fits a model, and reading a checkpoint as mmengine's runner does."""
import pytest
import torch
from torch import nn

from mmjigsaw.engine import check_runner_checkpoint_fits, describe_misfit, state_dict_fit, state_dict_of
from mmjigsaw.errors import DataError


def test_the_tensors_of_a_checkpoint_are_found_in_its_state_dict_or_model_entry():
    tensors = {'w': torch.ones(1)}
    assert [state_dict_of(c) for c in (dict(state_dict=tensors), dict(model=tensors), tensors)] == [tensors] * 3


def test_a_runner_checkpoint_fits_as_mmengine_reads_it(tmp_path):
    model = nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4))
    state = model.state_dict()
    cases = dict(plain=dict(state_dict=state),
                 ddp=dict(state_dict={'module.' + k: v for k, v in state.items()}),
                 old_batchnorm=dict(state_dict={k: v for k, v in state.items() if 'num_batches' not in k}))
    for name, checkpoint in cases.items():
        torch.save(checkpoint, str(tmp_path / f'{name}.pth'))
        check_runner_checkpoint_fits(str(tmp_path / f'{name}.pth'), model, 'the toy model')
    torch.save(dict(model=state), str(tmp_path / 'other_layout.pth'))  # mmengine would load nothing from it
    with pytest.raises(DataError, match=r'other_layout\.pth: it has no "state_dict" entry, and as a plain state dict '
                                        r"it holds entries that are not name -> tensor \('model': OrderedDict\)"):
        check_runner_checkpoint_fits(str(tmp_path / 'other_layout.pth'), model, 'the toy model')
    torch.save(dict(state_dict={k: v for k, v in state.items() if k.startswith('1.')}), str(tmp_path / 'half.pth'))
    with pytest.raises(DataError, match=r'half\.pth does not fit the toy model: 2 missing \(0\.weight, 0\.bias\)\. '
                                        r'Use another\.$'):
        check_runner_checkpoint_fits(str(tmp_path / 'half.pth'), model, 'the toy model', hint='Use another.')
    torch.save(dict(state_dict={**state, '0.weight': torch.ones(5, 3, 1, 1)}), str(tmp_path / 'wider.pth'))
    with pytest.raises(DataError, match=r'1 of another shape \(0\.weight: \(5, 3, 1, 1\) vs \(4, 3, 1, 1\)\)'):
        check_runner_checkpoint_fits(str(tmp_path / 'wider.pth'), model, 'the toy model')


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
        check_runner_checkpoint_fits(str(tmp_path / 'odd.pth'), nn.Linear(1, 1), 'a linear layer')
