import pytest

from lego.tables import format_table


def test_columns_pad_to_the_widest_cell_and_strip_trailing_blanks():
    text = format_table([("name", "n"), ("a", "100"), ("longer", "7")], align="lr")
    assert text.splitlines() == ["name      n", "a       100", "longer    7"]


def test_unaligned_columns_are_left_aligned():
    assert format_table([("x", "yy"), ("zzz", "w")]) == "x    yy\nzzz  w"


def test_empty_table_is_empty_text():
    assert format_table([]) == ""


def test_bad_alignment_is_refused():
    with pytest.raises(ValueError, match="Alignment must be"):
        format_table([("a",)], align="c")
