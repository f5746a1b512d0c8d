"""Reading checkpoints safely: what each kind of file torch.load(weights_only=True) cannot read is called,
and the globals a refused pickle names."""
import argparse
import io
import os
import os.path as osp
import pickle
import tarfile
import zipfile

import pytest
import torch
from mmengine.config import Config
from torch import nn

from mmjigsaw.engine import UnsafeCheckpointError, load_checkpoint_safely
from mmjigsaw.engine.checkpoint import pickled_globals, run_checkpoints
from mmjigsaw.errors import DataError
from helpers import crafted_checkpoint


class _Doubles(nn.Module):
    def forward(self, x):
        return 2 * x


class _RunsEcho:
    def __reduce__(self):
        return os.system, ('echo pwned',)


class _Evaluates:
    def __reduce__(self):
        return eval, ('1 + 1',)


class _LoadsFromHub:
    def __reduce__(self):
        return torch.hub.load, ('owner/repo', 'model')


def _pickle_of(path):
    with zipfile.ZipFile(path) as archive:
        return archive.read(next(n for n in archive.namelist() if n.endswith('data.pkl')))


def _tar(path, members):
    with tarfile.open(path, 'w', format=tarfile.PAX_FORMAT) as archive:
        for name in members:
            member = tarfile.TarInfo(name)
            member.size = 1
            archive.addfile(member, io.BytesIO(b'x'))


def test_a_plain_checkpoint_loads_and_its_pickle_names_only_tensor_rebuilding(tmp_path):
    path = str(tmp_path / 'plain.pth')
    torch.save({'state_dict': {'conv.weight': torch.ones(2, 3)}, 'meta': {'epoch': 3}}, path)
    assert torch.equal(load_checkpoint_safely(path)['state_dict']['conv.weight'], torch.ones(2, 3))
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


def test_each_pickle_of_a_torch_1_5_file_has_its_own_memo(tmp_path):
    path = str(tmp_path / 'legacy.pth')
    torch.save({'a': torch.ones(2), 'b': torch.ones(2, dtype=torch.half)}, path, pickle_protocol=4,
               _use_new_zipfile_serialization=False)
    with open(path, 'rb') as f:
        names = pickled_globals(f.read())
    assert names == ['torch._utils._rebuild_tensor_v2', 'torch.FloatStorage', 'collections.OrderedDict',
                     'torch.HalfStorage']


def test_a_pickle_that_would_run_code_is_refused_naming_what_it_calls(tmp_path):
    bad, marker = crafted_checkpoint(str(tmp_path))  # pickle protocol 4: torch stops before its globals
    with pytest.raises(UnsafeCheckpointError, match=r'refused: pickled with protocol 4, .* names io\.open\.'):
        load_checkpoint_safely(bad)
    assert not osp.exists(marker)
    # among many dtypes' storages, every global outside torch's allow-list is named first, even one in torch
    mixed = str(tmp_path / 'mixed.pth')
    dtypes = (torch.float, torch.double, torch.half, torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8)
    torch.save({**{str(d): torch.ones(1, dtype=d) for d in dtypes}, 'x': _RunsEcho(), 'y': _LoadsFromHub()},
               mixed, pickle_protocol=4)
    with pytest.raises(UnsafeCheckpointError, match=r'names posix\.system, torch\.hub\.load, '
                                                    r'torch\._utils\._rebuild_tensor_v2, .*, \.\.\.\. Only if'):
        load_checkpoint_safely(mixed)
    (tmp_path / 'p0.pth').write_bytes(pickle.dumps({'x': _RunsEcho()}, protocol=0))
    with pytest.raises(UnsafeCheckpointError, match=r'refused: a pickle of protocol 0 or 1, .* names posix\.system'):
        load_checkpoint_safely(str(tmp_path / 'p0.pth'))
    (tmp_path / 'p2.pth').write_bytes(pickle.dumps({'x': _RunsEcho()}, protocol=2))
    with pytest.raises(UnsafeCheckpointError, match=r'refused: .* torch refused posix\.system\.$'):
        load_checkpoint_safely(str(tmp_path / 'p2.pth'))
    (tmp_path / 'eval.pth').write_bytes(pickle.dumps({'x': _Evaluates()}, protocol=2))
    with pytest.raises(UnsafeCheckpointError, match=r'torch refused builtins\.eval\.$'):  # torch says 'eval'
        load_checkpoint_safely(str(tmp_path / 'eval.pth'))
    # torch stops at the first global it refuses; a harmless-looking one must not hide what follows it
    (tmp_path / 'args.pth').write_bytes(pickle.dumps({'args': argparse.Namespace(lr=1), 'x': _RunsEcho()},
                                                     protocol=2))
    with pytest.raises(UnsafeCheckpointError, match=r'torch refused argparse\.Namespace; the pickle also names '
                                                    r'posix\.system\.$'):
        load_checkpoint_safely(str(tmp_path / 'args.pth'))
    whole_model = str(tmp_path / 'whole.pth')
    torch.save(nn.Sequential(nn.Conv2d(1, 1, 1)), whole_model)
    with pytest.raises(UnsafeCheckpointError, match=r'torch refused torch\.nn\.modules\.container\.Sequential; the '
                                                    r'pickle also names torch\.nn\.modules\.conv\.Conv2d\.$'):
        load_checkpoint_safely(whole_model)


def test_a_torchscript_archive_and_a_torch_0_3_tar_file_are_named_as_such(tmp_path):
    scripted = str(tmp_path / 'scripted.pt')
    torch.jit.save(torch.jit.trace(_Doubles(), torch.zeros(2)), scripted)
    with pytest.raises(DataError, match='a TorchScript archive .* torch.jit.load'):
        load_checkpoint_safely(scripted)
    _tar(str(tmp_path / 'old.pth'), ('sys_info', 'pickle', 'storages', 'tensors'))
    with pytest.raises(DataError, match=r'saved by torch < 0\.4 \(the legacy \.tar format\)'):
        load_checkpoint_safely(str(tmp_path / 'old.pth'))
    _tar(str(tmp_path / 'images.tar'), ('1.jpg', ))
    with pytest.raises(DataError, match=r'images\.tar: not a PyTorch checkpoint \(a tar archive torch did not write'):
        load_checkpoint_safely(str(tmp_path / 'images.tar'))


def test_files_that_are_no_checkpoint_say_so_and_are_not_called_dangerous(tmp_path):
    for name, content in (('config.py', b'model = dict()\n'), ('notes.pth', b'hello world'), ('empty.pth', b'')):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(DataError, match=rf"{name}: not a PyTorch checkpoint \(neither torch's zip format nor a "
                                            r'pickle\)\.') as raised:
            load_checkpoint_safely(str(tmp_path / name))
        assert not isinstance(raised.value, UnsafeCheckpointError)
    torch.save({'a': torch.arange(1000.0)}, str(tmp_path / 'whole.pth'))
    whole = (tmp_path / 'whole.pth').read_bytes()
    (tmp_path / 'cut.pth').write_bytes(whole[:2000])
    with pytest.raises(DataError, match=r'cut\.pth: not a PyTorch checkpoint \(a damaged zip archive: a truncated '
                                        r'copy\?\)\.$'):
        load_checkpoint_safely(str(tmp_path / 'cut.pth'))
    at = whole.index(b'\x80\x02}') + 2  # data.pkl's first opcode, after its protocol: the zip's checksum fails
    (tmp_path / 'flipped.pth').write_bytes(whole[:at] + b'\xff' + whole[at + 1:])
    with pytest.raises(DataError, match=r'flipped\.pth: not a PyTorch checkpoint \(a damaged zip archive: '
                                        r'Bad CRC-32') as raised:
        load_checkpoint_safely(str(tmp_path / 'flipped.pth'))
    assert not isinstance(raised.value, UnsafeCheckpointError)
    central = whole.rindex(b'PK\x01\x02')  # a member's entry in the zip's directory: its end record still reads
    (tmp_path / 'directory.pth').write_bytes(whole[:central] + b'XX' + whole[central + 2:])
    with pytest.raises(DataError, match=r'directory\.pth: not a PyTorch checkpoint \(a damaged zip archive: '):
        load_checkpoint_safely(str(tmp_path / 'directory.pth'))
    with pytest.raises(DataError, match=r'absent\.pth: checkpoint not found'):
        load_checkpoint_safely(str(tmp_path / 'absent.pth'))
    with pytest.raises(DataError, match=r'cannot be read \(IsADirectoryError'):
        load_checkpoint_safely(str(tmp_path))


def test_a_run_s_checkpoints_are_its_load_from_its_latest_when_resuming_and_its_pretrained_weights(tmp_path):
    model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
                 neck=[dict(init_cfg=dict(type='Pretrained', checkpoint='neck.pth'))])
    assert run_checkpoints(Config(dict(model=model))) == (['neck.pth'], ['torchvision://resnet50'])
    assert run_checkpoints(Config(dict(model=model, load_from='det.pth', resume=True))) == \
        (['det.pth', 'neck.pth'], ['torchvision://resnet50'])
    work_dir = str(tmp_path)
    resuming = Config(dict(model=model, resume=True, load_from=None, work_dir=work_dir))
    assert run_checkpoints(resuming)[0] == ['neck.pth']  # nothing to resume from yet
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'epoch_3.pth'))
    assert run_checkpoints(resuming)[0] == ['neck.pth', str(tmp_path / 'epoch_3.pth')]
    assert run_checkpoints(Config(dict(work_dir=work_dir))) == ([], [])  # no resume key, no model: nothing
