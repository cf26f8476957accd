import pytest

from lego.widths import index_bits


@pytest.mark.parametrize(("count", "bits"), [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (256, 8),
                                             (257, 9)])
def test_index_bits_covers_every_index(count, bits):
    assert index_bits(count) == bits
    assert count - 1 < 2 ** bits


def test_index_bits_refuses_an_empty_range():
    with pytest.raises(ValueError, match="positive integer"):
        index_bits(0)
