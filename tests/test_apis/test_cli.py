import pytest
import torch
import torch.distributed as torch_dist

from mmjigsaw.apis import run_cli
from mmjigsaw.errors import ConfigError


def test_a_config_error_prints_one_line_and_exits_2(capsys):
    def main():
        raise ConfigError('model.head.num_classes = 3, the store has 2 classes')

    with pytest.raises(SystemExit) as exit_info:
        run_cli(main)
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == 'error: model.head.num_classes = 3, the store has 2 classes\n'


def test_the_process_group_a_tool_sets_up_is_destroyed_when_it_returns(tmp_path):
    summed = []

    def main():
        torch_dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store', rank=0, world_size=1)
        value = torch.ones(3)
        torch_dist.all_reduce(value)
        summed.append(value)

    run_cli(main)
    assert summed[0].tolist() == [1.0, 1.0, 1.0]
    assert not torch_dist.is_initialized()
