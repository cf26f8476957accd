"""The target devices and the fit check made after synthesis."""

import pytest

from lego.errors import LegoError
from lego.synth.targets import TARGETS, fit_error, target


def test_the_fit_check_names_the_resource_and_the_device():
    cells = {"LUT4": 281_636, "TRELLIS_FF": 50_000}
    assert fit_error(cells, TARGETS["ecp5-85k"]) == "needs 281,636 LUT4, ecp5-85k has 83,640"


@pytest.mark.parametrize("name, cell, available", [
    ("ecp5-25k", "MULT18X18D", 28), ("ecp5-45k", "DP16KD", 108),
    ("ecp5-85k", "TRELLIS_FF", 83_640), ("ecp5-45k", "LUT4", 43_848),
])
def test_each_device_has_its_capacity(name, cell, available):
    assert fit_error({cell: available}, TARGETS[name]) is None
    assert fit_error({cell: available + 1}, TARGETS[name]) == (
        f"needs {available + 1:,} {cell}, {name} has {available:,}")


def test_the_generic_target_always_fits():
    assert fit_error({"$_AND_": 10 ** 7}, TARGETS["generic"]) is None
    assert not TARGETS["generic"].is_ecp5


def test_an_unknown_target_names_the_choices():
    with pytest.raises(LegoError, match=r"^--target must be one of ecp5-25k, ecp5-45k, "
                                        r"ecp5-85k, generic, not 'ice40'$"):
        target("ice40")
