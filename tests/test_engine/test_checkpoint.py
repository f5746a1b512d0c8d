"""Reading checkpoints safely: what each kind of unreadable file is called, the globals a refused pickle
names, and how a state dict fits a model."""
import io
import os.path as osp
import tarfile
import zipfile

import pytest
import torch
from torch import nn

from mmjigsaw.engine import (UnsafeCheckpointError, check_runner_checkpoint_fits, describe_misfit,
                             load_checkpoint_safely, state_dict_fit, state_dict_of)
from mmjigsaw.engine.checkpoint import pickled_globals
from mmjigsaw.errors import DataError
from helpers import crafted_checkpoint


class _Doubles(nn.Module):
    def forward(self, x):
        return 2 * x


def _pickle_of(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read(next(n for n in archive.namelist() if n.endswith('data.pkl')))


def test_a_plain_checkpoint_loads_and_its_pickle_names_only_tensor_rebuilding(tmp_path):
    path = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'conv.weight': torch.ones(2, 3)}, 'meta': {'epoch': 3}}, path)
    assert torch.equal(state_dict_of(load_checkpoint_safely(path))['conv.weight'], torch.ones(2, 3))
    assert pickled_globals(_pickle_of(path)) == ['torch._utils._rebuild_tensor_v2', 'torch.FloatStorage',
                                                 'collections.OrderedDict']


def test_globals_are_read_from_the_memo_at_protocol_4(tmp_path):
    path = str(tmp_path / 'p4.pth')
    torch.save({'a': torch.ones(2), 'b': torch.ones(2, dtype=torch.int64), 'c': torch.ones(2, dtype=torch.half)},
               path, pickle_protocol=4)
    assert pickled_globals(_pickle_of(path)) == ['torch._utils._rebuild_tensor_v2', 'torch.FloatStorage',
                                                 'collections.OrderedDict', 'torch.LongStorage', 'torch.HalfStorage']
    with pytest.raises(UnsafeCheckpointError, match=r'p4\.pth: refused: pickled with protocol 4, .* names '
                                                    r'torch\._utils\._rebuild_tensor_v2, .*torch\.HalfStorage\.'):
        load_checkpoint_safely(path)


def test_a_pickle_that_would_run_code_is_refused_naming_what_it_calls(tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))  # pickle protocol 4: torch stops before its globals
    with pytest.raises(UnsafeCheckpointError, match=r'refused: pickled with protocol 4, .* names io\.open\.'):
        load_checkpoint_safely(bad)
    whole_model = str(tmp_path / 'whole.pth')
    torch.save(nn.Sequential(nn.Conv2d(1, 1, 1)), whole_model)
    with pytest.raises(UnsafeCheckpointError, match=r'refused: .* torch refused torch\.nn\.modules\.container\.'
                                                    r'Sequential\.$'):
        load_checkpoint_safely(whole_model)
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


def test_files_that_are_no_checkpoint_say_so_and_are_not_called_dangerous(tmp_path):
    for name, content in (('config.py', b'model = dict()\n'), ('notes.pth', b'hello world'), ('empty.pth', b'')):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataError, match=rf"{name}: not a PyTorch checkpoint \(neither torch's zip format nor a "
                                            r'pickle\)\.') as raised:
            load_checkpoint_safely(str(tmp_path / name))
        assert not isinstance(raised.value, UnsafeCheckpointError)
    torch.save({'a': torch.ones(1000)}, str(tmp_path / 'whole.pth'))
    (tmp_path / 'cut.pth').write_bytes((tmp_path / 'whole.pth').read_bytes()[:2000])
    with pytest.raises(DataError, match=r'cut\.pth: not a PyTorch checkpoint \(a damaged zip archive'):
        load_checkpoint_safely(str(tmp_path / 'cut.pth'))
    with pytest.raises(DataError, match=r'absent\.pth: checkpoint not found'):
        load_checkpoint_safely(str(tmp_path / 'absent.pth'))
    with pytest.raises(DataError, match=r'cannot be read \(IsADirectoryError'):
        load_checkpoint_safely(str(tmp_path))


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
    with pytest.raises(DataError, match=r'other_layout\.pth does not fit the toy model: 6 missing '
                                        r'\(0\.weight, 0\.bias, 1\.weight, \.\.\.\)\.'):
        check_runner_checkpoint_fits(str(tmp_path / 'other_layout.pth'), model, 'the toy model')
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
