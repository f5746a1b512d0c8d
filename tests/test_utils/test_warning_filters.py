"""Importing mmjigsaw hides setuptools' pkg_resources deprecation that mmengine triggers, and nothing else."""
import pytest

from helpers import run_tool

# mmengine's is_installed (used for every `mmdet::` base) imports and reloads pkg_resources; then
# two warnings of our own: one mentioning pkg_resources, one unrelated.
SCRIPT = '''
import warnings
{first}
from mmengine.utils import is_installed
assert is_installed('mmdet') and is_installed('mmcv')
warnings.warn('pkg_resources is fine here, keep me', UserWarning)
warnings.warn('an unrelated deprecation, keep me', DeprecationWarning, stacklevel=1)
'''


@pytest.mark.slow
class TestPkgResourcesWarning:

    def test_shows_without_mmjigsaw(self):
        # the premise: without the filter the OpenMMLab packages print it (if not, the filter can go)
        result = run_tool('-W', 'default', '-c', SCRIPT.format(first=''))
        assert result.returncode == 0, result.stderr
        assert result.stderr.count('pkg_resources is deprecated as an API') >= 2

    def test_hidden_once_mmjigsaw_is_imported_and_others_still_show(self):
        result = run_tool('-W', 'default', '-c', SCRIPT.format(first='import mmjigsaw'))
        assert result.returncode == 0, result.stderr
        assert 'pkg_resources is deprecated' not in result.stderr
        assert 'pkg_resources is fine here, keep me' in result.stderr
        assert 'an unrelated deprecation, keep me' in result.stderr
