from mmjigsaw.utils import counted


def test_counted_is_plural_unless_one():
    assert [counted(n, 'epoch') for n in (0, 1, 2)] == ['0 epochs', '1 epoch', '2 epochs']
