"""The code hash (what a run depends on, comments and docstrings aside) and the store hash."""
import json
import shutil

import pytest

from mmjigsaw.study.provenance import code_hash, hashed_files, store_hash

MODULE = '''"""A module docstring."""
import os


def f(x):
    """Doubles."""
    return 2 * x  # a comment
'''


@pytest.fixture
def repo(tmp_path):
    """A tiny repository: a package module, a study reporting module, a config, a tool and a doc."""
    for rel, text in (('mmjigsaw/models/m.py', MODULE), ('mmjigsaw/study/report.py', 'A = 1\n'),
                      ('mmjigsaw/study/runner.py', 'B = 1\n'), ('configs/det/x.py', 'lr = 0.01\n'),
                      ('configs/reproduce/study.py', 'seeds = [0]\n'), ('tools/train.py', 'print(1)\n'),
                      ('tools/misc/other.py', 'print(2)\n'), ('requirements/runtime.txt', 'numpy\n'),
                      ('docs/x.md', 'text\n')):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _edit(repo, rel, old, new):
    path = repo / rel
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_hashed_files_are_what_runs_depend_on(repo):
    assert hashed_files(str(repo)) == ['configs/det/x.py', 'mmjigsaw/models/m.py', 'mmjigsaw/study/runner.py',
                                       'requirements/runtime.txt', 'tools/train.py']


def test_comments_docstrings_and_formatting_keep_the_hash(repo):
    before = code_hash(str(repo))
    _edit(repo, 'mmjigsaw/models/m.py', '# a comment', '# another comment, longer')
    _edit(repo, 'mmjigsaw/models/m.py', '"""Doubles."""', '"""Doubles x: the docstring changed."""')
    _edit(repo, 'mmjigsaw/models/m.py', '"""A module docstring."""', '"""Another."""\n\n')
    _edit(repo, 'mmjigsaw/models/m.py', 'return 2 * x', 'return 2*x')
    assert code_hash(str(repo)) == before


def test_a_code_change_changes_the_hash(repo):
    before = code_hash(str(repo))
    _edit(repo, 'mmjigsaw/models/m.py', 'return 2 * x', 'return 3 * x')
    after = code_hash(str(repo))
    assert after != before and len(after) == 16
    _edit(repo, 'mmjigsaw/models/m.py', 'return 3 * x', 'return 2 * x')
    assert code_hash(str(repo)) == before  # the same code, the same hash
    _edit(repo, 'configs/det/x.py', '0.01', '0.02')  # a config is code too
    assert code_hash(str(repo)) != before
    _edit(repo, 'configs/det/x.py', '0.02', '0.01')
    _edit(repo, 'requirements/runtime.txt', 'numpy', 'numpy>=2')  # text files: any change
    assert code_hash(str(repo)) != before


def test_reporting_study_configs_docs_and_other_tools_do_not_count(repo):
    before = code_hash(str(repo))
    for rel, old in (('mmjigsaw/study/report.py', 'A = 1'), ('configs/reproduce/study.py', 'seeds = [0]'),
                     ('docs/x.md', 'text'), ('tools/misc/other.py', 'print(2)')):
        _edit(repo, rel, old, old + '\nC = 2')
    assert code_hash(str(repo)) == before
    _edit(repo, 'mmjigsaw/study/runner.py', 'B = 1', 'B = 2')  # the runner decides what runs
    assert code_hash(str(repo)) != before


def test_store_hash_reads_the_checksums_not_where_the_store_was_made(tmp_path):
    meta = dict(codec=dict(format='jpeg', quality=90), checksums={'pixels.bin': 'ab12'},
                source=dict(ann_file='/a/ann.json', img_dir='/a/img', context=0.5))
    (tmp_path / 'a').mkdir()
    (tmp_path / 'a' / 'meta.json').write_text(json.dumps(meta))
    shutil.copytree(tmp_path / 'a', tmp_path / 'b')
    moved = dict(meta, source=dict(meta['source'], ann_file='/b/ann.json', img_dir='/b/img'))
    (tmp_path / 'b' / 'meta.json').write_text(json.dumps(moved))
    assert store_hash(str(tmp_path / 'a')) == store_hash(str(tmp_path / 'b')) is not None
    (tmp_path / 'b' / 'meta.json').write_text(json.dumps(dict(meta, checksums={'pixels.bin': 'cd34'})))
    assert store_hash(str(tmp_path / 'b')) != store_hash(str(tmp_path / 'a'))
    assert store_hash(str(tmp_path / 'none')) is None
