"""The where: expression language: what it computes, and that it refuses what is not in it."""

import pytest

from lego.sweep.expr import ExprError, parse_expr

NAMES = {"array", "preset", "workload.sram_kib", "period"}
ENV = {"array": [16, 8], "preset": "gemm-os", "workload.sram_kib": 32, "period": 2.5}


@pytest.mark.parametrize("text, value", [
    ("array[0] <= 16", True),
    ("array[0] * array[1] == 128", True),
    ("preset == 'gemm-os' and workload.sram_kib > 8", True),
    ("preset in ['gemm-ws', 'gemm-is']", False),
    ("preset not in ['gemm-ws', \"gemm-is\"]", True),
    ("not (array[0] > 8) or period < 3", True),
    ("workload.sram_kib // 5 % 4 - -1", 3),
    ("workload.sram_kib / 64 + 1e1", 10.5),
    ("true and not false", True),
    ("array[0 - 1] == 8", True),
])
def test_values(text, value):
    assert parse_expr(text, NAMES).evaluate(ENV) == value


def test_or_and_and_short_circuit():
    # the right side would fail (index 5 of a 2-list) if it were evaluated
    assert parse_expr("array[0] > 1 or array[5] > 1", NAMES).evaluate(ENV) is True
    assert parse_expr("array[0] < 1 and array[5] > 1", NAMES).evaluate(ENV) is False


@pytest.mark.parametrize("text, message", [
    ("__import__('os').system('true')", r"unexpected '\.' at column 17"),
    ("__import__ == 1", r"unknown name '__import__'"),
    ("array.__class__", r"unknown name 'array.__class__'"),
    ("array[0] <=", r"expected a value but found the end"),
    ("(array[0] < 4", r"expected '\)' but found the end"),
    ("array[0] < 4 4", r"unexpected '4'"),
    ("array[0] ; 4", r"unexpected ';' at column 10"),
    ("lambda: 1", r"unexpected ':' at column 7"),
    ("", r"must be a non-empty expression string"),
    ("x" * 2001, r"longer than 2000 characters"),
    ("(" * 5000 + "1" + ")" * 5000, r"longer than|nested too deeply"),
])
def test_refused(text, message):
    with pytest.raises(ExprError, match=message):
        parse_expr(text, NAMES)


@pytest.mark.parametrize("text, message", [
    ("array[0] and true", r"'and', 'or' and 'not' take true or false, not 16"),
    ("preset < 3", r"cannot evaluate 'preset < 3' for preset='gemm-os': '<' not supported"),
    ("array[9] > 1", r"cannot evaluate .*list index out of range"),
    ("period / 0 > 1", r"cannot evaluate .*division by zero"),
    ("array['a'] > 1", r"an index must be an integer, not 'a'"),
])
def test_evaluation_errors(text, message):
    with pytest.raises(ExprError, match=message):
        parse_expr(text, NAMES).evaluate(ENV)
