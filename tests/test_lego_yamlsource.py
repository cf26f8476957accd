"""YAML with line numbers (lego/yamlsource.py)."""

import pytest

from lego.errors import SpecError
from lego.yamlsource import field_name, load_yaml

TEXT = """\
name: g
loops:
  i: 4
  j: 8
dataflows:
  - name: os
    map: {i: p,
          j: q}
"""


def test_values_and_lines():
    doc = load_yaml(TEXT, "s.yaml")
    assert doc.value == {"name": "g", "loops": {"i": 4, "j": 8},
                         "dataflows": [{"name": "os", "map": {"i": "p", "j": "q"}}]}
    assert doc.line(()) == 1
    assert doc.line(("loops", "j")) == 4
    assert doc.line(("dataflows", 0)) == 6
    assert doc.line(("dataflows", 0, "map", "j")) == 8
    assert doc.line(("dataflows", 0, "map", "k")) == 7  # unknown: the nearest known parent
    assert str(doc.error(("loops", "j"), "bad")) == "s.yaml:4: loops.j: bad"
    assert str(doc.error((), "bad")) == "s.yaml:1: bad"


def test_keys_stay_text():
    # YAML 1.1 would read `on`/`no`/`y` keys as booleans; spec keys are names
    assert load_yaml("on: 1\nno: 2\ny: 3\n", "s").value == {"on": 1, "no": 2, "y": 3}


@pytest.mark.parametrize("path, name", [
    (("dataflows", 0, "map", "i"), "dataflows[0].map.i"),
    (("loops",), "loops"),
    ((), ""),
    (("loops", "a b"), "loops['a b']"),
    (("\n",), "['\\n']"),
    (("preset", 1), "preset[1]"),
])
def test_field_name(path, name):
    assert field_name(path) == name


def test_merge_keys_let_explicit_keys_win():
    doc = load_yaml("a: &x {p: 1, q: 2}\nb: {<<: *x, p: 3}\nc: [*x, *x]\n", "s")
    assert doc.value == {"a": {"p": 1, "q": 2}, "b": {"p": 3, "q": 2},
                         "c": [{"p": 1, "q": 2}, {"p": 1, "q": 2}]}


@pytest.mark.parametrize("text, message", [
    ("a: 1\nb: 2\na: 3\n", "s:3: a: duplicate key 'a' (first on line 1)"),
    ("a: {p: 1, p: 2}\n", "s:1: a.p: duplicate key 'p' (first on line 1)"),
    ("? [a]\n: 1\n", "s:1: mapping keys must be plain names"),
    ("a: !!int x\n", "s:1: a: cannot read 'x' as int"),
    ("a: !!bool maybe\n", "s:1: a: cannot read 'maybe' as bool"),
    ("a: 2020-13-45\n", "s:1: a: cannot read '2020-13-45' as timestamp"),
    ("a: \x00\n", "s: not valid YAML: unacceptable character #x0000: special characters are "
                  "not allowed"),
    ("a: *nothing\n", "s:1: not valid YAML: found undefined alias 'nothing'"),
    ("a: [1, 2\n", "s:2: not valid YAML: expected ',' or ']', but got '<stream end>' (while "
                   "parsing a flow sequence started on line 1)"),
    ("a: 1\n---\nb: 2\n", "s:2: not valid YAML: expected a single document in the stream, "
                          "but found another document"),
    ("a: !!python/object:os.system x\n", "s:1: not valid YAML: could not determine a "
     "constructor for the tag 'tag:yaml.org,2002:python/object:os.system'"),
    ("&a [*a]\n", "s:1: [0][0]: YAML is nested too deeply (or refers to itself)"),
    pytest.param("[" * 60 + "]" * 60, "s:1: [0][0]: YAML is nested too deeply (or refers to "
                 "itself)", id="nested-60"),
    pytest.param("[" * 500 + "]" * 500, "s: YAML is nested too deeply", id="nested-500"),
])
def test_errors(text, message):
    with pytest.raises(SpecError) as info:
        load_yaml(text, "s")
    assert str(info.value) == message


def test_alias_bomb_is_stopped():
    text = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + n)}: &{chr(98 + n)} [" + ", ".join([f"*{chr(97 + n)}"] * 10) + "]\n"
        for n in range(8))  # 10**9 values if expanded
    with pytest.raises(SpecError, match="YAML expands to more than 100000 values"):
        load_yaml(text, "s")
