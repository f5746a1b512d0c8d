"""Words for numbers in messages, tables and plots."""


def counted(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless n is 1: '1 pair', '5 pairs'."""
    return f'{n} {noun}' + ('' if n == 1 else 's')
