"""Reading checkpoints safely: what each kind of unreadable file is called, the globals a refused pickle
names, and how a state dict fits a model."""
import io
import os.path as osp
import tarfile

import pytest
import torch
from torch import nn

from mmjigsaw.engine import (UnsafeCheckpointError, describe_misfit, load_checkpoint_safely, state_dict_fit,
                             state_dict_of)
from mmjigsaw.engine.checkpoint import pickled_globals
from mmjigsaw.errors import DataError
from helpers import crafted_checkpoint


class _Doubles(nn.Module):
    def forward(self, x):
        return 2 * x


def test_a_plain_checkpoint_loads_and_its_pickle_names_only_torch_and_collections(tmp_path):
    path = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'conv.weight': torch.ones(2, 3)}, 'meta': {'epoch': 3}}, path)
    assert torch.equal(state_dict_of(load_checkpoint_safely(path))['conv.weight'], torch.ones(2, 3))
    assert pickled_globals(path) == ['torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'collections.OrderedDict']


def test_a_pickle_that_would_run_code_is_refused_naming_what_it_calls(tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))
    with pytest.raises(UnsafeCheckpointError, match=r'refused: .* This one names io\.open\.$'):
        load_checkpoint_safely(bad)
    assert not osp.exists(marker)


def test_a_torchscript_archive_is_named_as_one(tmp_path):
    path = str(tmp_path / 'scripted.pt')
    torch.jit.save(torch.jit.trace(_Doubles(), torch.zeros(2)), path)
    with pytest.raises(DataError, match='a TorchScript archive .* torch.jit.load'):
        load_checkpoint_safely(path)


def test_a_torch_0_3_tar_file_is_named_as_one(tmp_path):
    path = str(tmp_path / 'old.pth')
    with tarfile.open(path, 'w', format=tarfile.PAX_FORMAT) as archive:
        member = tarfile.TarInfo('sys_info')
        member.size = 1
        archive.addfile(member, io.BytesIO(b'x'))
    with pytest.raises(DataError, match=r'saved by torch < 0\.4 \(the legacy \.tar format\)'):
        load_checkpoint_safely(path)


def test_a_file_that_is_no_checkpoint_and_a_missing_one_say_so(tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_bytes(b'hello world')
    with pytest.raises(DataError, match=r'notes\.pth: not a PyTorch checkpoint that torch\.load reads'):
        load_checkpoint_safely(str(path))
    with pytest.raises(DataError, match=r'absent\.pth: checkpoint not found'):
        load_checkpoint_safely(str(tmp_path / 'absent.pth'))


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
