"""Atomic JSON writes: the content, no temporary file left behind, and the permissions a user expects."""
import json
import os
import stat

import pytest

from mmjigsaw.utils import atomic_write_json, file_sha256


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_file_gets_the_mode_of_open_under_the_umask_and_nothing_else_is_left(tmp_path):
    old = os.umask(0o027)
    try:
        atomic_write_json({'ap': 0.25}, str(tmp_path / 'sub' / 'summary.json'))
    finally:
        os.umask(old)
    path = tmp_path / 'sub' / 'summary.json'
    assert json.loads(path.read_text()) == {'ap': 0.25}
    assert _mode(path) == 0o640 and os.listdir(tmp_path / 'sub') == ['summary.json']


def test_a_replaced_file_keeps_its_mode(tmp_path):
    path = tmp_path / 'runs.json'
    path.write_text('[]')
    os.chmod(path, 0o604)
    atomic_write_json([1, 2], str(path))
    assert json.loads(path.read_text()) == [1, 2] and _mode(path) == 0o604


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path):
    path = tmp_path / 'runs.json'
    path.write_text('[]')
    with pytest.raises(TypeError):
        atomic_write_json({'not json': object()}, str(path))
    assert path.read_text() == '[]' and os.listdir(tmp_path) == ['runs.json']


def test_file_sha256_reads_in_blocks(tmp_path):
    path = tmp_path / 'blob'
    path.write_bytes(b'abc')
    assert file_sha256(str(path), chunk=2) == 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
