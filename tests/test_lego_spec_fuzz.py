"""Random input to the spec front door: whatever the text or dict, the only exception that may
escape is lego.errors.SpecError (which the CLI prints as one line). Specs that do validate must
also run through the golden model."""

import copy
import math
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lego import evaluate, load_spec, parse_spec, parse_spec_text, random_inputs
from lego.affine import parse_affine, parse_statement
from lego.errors import SpecError

FUZZ = settings(max_examples=100, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

LOOPS = ["i", "j", "k", "l"]
VARS = ["ti", "tj", "tk", "p", "q", "i", "x"]
TENSORS = ["A", "B", "C", "D"]
TOKENS = ["i", "j", "k", "p", "q", "ti", "0", "1", "2", "4", "2147483648", "+", "-", "*", "/",
          "%", "**", "//", "(", ")", "[", "]", ",", "+=", "=", "A", "B", "C", " ", "f", "."]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 9), st.sampled_from(
    [2**31, 2**40, 2**70, -(2**63)]), st.floats(allow_nan=True), st.text(max_size=8))
bounds = st.one_of(st.integers(1, 4), scalars)
names = st.one_of(st.sampled_from(LOOPS + VARS + TENSORS + ["name", "map", "<<"]),
                  st.text(max_size=4))


def affine_text(variables):
    term = st.one_of(st.sampled_from(variables), st.integers(-3, 5).map(str),
                     st.tuples(st.integers(-3, 5), st.sampled_from(variables))
                     .map(lambda t: f"{t[0]}*{t[1]}"))
    return st.lists(term, min_size=1, max_size=3).map(" + ".join)


def access(tensor):
    return st.lists(affine_text(LOOPS), max_size=3).map(
        lambda idx: f"{tensor}[{', '.join(idx)}]" if idx else tensor)


statements = st.one_of(
    st.tuples(access("C"), st.lists(st.sampled_from(["A", "B", "D", "C"]), min_size=1,
                                    max_size=3).flatmap(lambda ts: st.tuples(*map(access, ts))))
    .map(lambda t: f"{t[0]} += {' * '.join(t[1])}"),
    st.lists(st.sampled_from(TOKENS), max_size=12).map("".join),
    scalars)


def mapping(keys, values):
    return st.dictionaries(keys, values, max_size=4)


dataflow = st.fixed_dictionaries({
    "name": st.one_of(st.sampled_from(["os", "ws"]), scalars),
    "spatial": st.one_of(mapping(st.sampled_from(["p", "q", "ti"]), bounds), scalars),
    "temporal": st.one_of(mapping(st.sampled_from(["ti", "tj", "tk", "p"]), bounds), scalars),
    "map": st.one_of(mapping(st.sampled_from(LOOPS + ["z"]),
                             st.one_of(affine_text(VARS), scalars)), scalars),
}, optional={"order": scalars})

general_specs = st.fixed_dictionaries({
    "name": st.one_of(st.just("g"), scalars),
    "loops": st.one_of(mapping(st.sampled_from(LOOPS), st.integers(1, 4)),
                       mapping(st.sampled_from(LOOPS + ["p"]), bounds)),
    "statement": st.one_of(st.sampled_from(["C[i, j] += A[i, k] * B[k, j]",
                                            "C[i] += A[i + j] * B[j]",
                                            "D[i, j] += A[i, k, l] * B[k, j] * C[l, j]"]),
                           statements),
    "dtypes": st.one_of(st.just({"A": "int8", "B": "uint3", "C": "int16", "D": "int64"}),
                        mapping(st.sampled_from(TENSORS + ["E"]), st.one_of(st.sampled_from(
                            ["int8", "uint1", "int1", "int64", "uint64", "int65", "float32",
                             "int08"]), scalars)), scalars),
    "dataflows": st.one_of(st.lists(st.one_of(dataflow, scalars), min_size=1, max_size=2),
                           scalars),
}, optional={"description": scalars, "size": scalars})

preset_specs = st.fixed_dictionaries({
    "preset": st.one_of(st.sampled_from(["gemm-os", "gemm-ws", "gemm-xs"]),
                        st.lists(st.sampled_from(["gemm-os", "gemm-ws", "gemm-is", 3]),
                                 max_size=3), scalars),
}, optional={
    "name": st.one_of(st.just("g"), scalars),
    "size": st.one_of(st.fixed_dictionaries({"M": bounds, "N": bounds, "K": bounds}),
                      mapping(st.sampled_from(["M", "N", "K", "X"]), bounds), scalars),
    "array": st.one_of(st.lists(bounds, max_size=3), scalars),
    "dtypes": st.one_of(st.just({"A": "int4", "B": "int4", "C": "int8"}), scalars),
    "loops": scalars,
})

specs = st.one_of(general_specs, preset_specs)

EXAMPLES = [yaml.safe_load(path.read_text())
            for path in sorted((Path(__file__).parents[1] / "examples" / "specs").glob("*.yaml"))]


def _paths(value, prefix=()):
    """Every path into a nested dict/list, the root included."""
    yield prefix
    items = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())
    for key, child in items:
        yield from _paths(child, prefix + (key,))


def _mutate(document, path, action, new):
    """A deep copy of ``document`` with the value at ``path`` replaced, deleted or extended."""
    document = copy.deepcopy(document)
    if not path:
        return new if action == "replace" else document
    parent = document
    for key in path[:-1]:
        parent = parent[key]
    if action == "delete":
        del parent[path[-1]]
    elif action == "extend" and isinstance(parent[path[-1]], dict):
        parent[path[-1]]["z"] = new
    elif action == "extend" and isinstance(parent[path[-1]], list):
        parent[path[-1]].append(new)
    else:
        parent[path[-1]] = new
    return document


@st.composite
def mutated_examples(draw):
    """A real example with up to three small edits: mostly near-valid specs."""
    document = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(0, 3))):  # 0: the example itself, through the golden model
        path = draw(st.sampled_from(list(_paths(document))))
        new = draw(st.one_of(bounds, affine_text(VARS + LOOPS), statements, st.sampled_from(
            ["int4", "uint64", "int64", "bf16"])))
        document = _mutate(document, path, draw(st.sampled_from(
            ["replace", "delete", "extend"])), new)
    return document

yaml_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(names, inner, max_size=3)), max_leaves=12)


def accepts_or_spec_error(call, value, source=None):
    """Validate ``value``; a rejection must be one line that names where the input came from.
    Returns the spec, or None when rejected."""
    try:
        spec = call(value)
    except SpecError as error:
        assert "\n" not in str(error) and str(error).strip()
        assert str(error).startswith(f"{source}:" if source else ("<string>:", "<dict>:")), error
        return None
    tensor_points = sum(math.prod(t.shape) for t in spec.tensors)
    if spec.num_points <= 1 << 12 and tensor_points <= 1 << 16:
        result = evaluate(spec, random_inputs(spec, 0))
        assert result.shape == spec.output.shape
    return spec


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text):
    accepts_or_spec_error(parse_spec_text, text)


@FUZZ
@given(st.lists(st.sampled_from(TOKENS + [":", "\n", "  ", "- ", "{", "}", "&a ", "*a", "!!int ",
                                          "loops", "name", "dataflows", "map", "'", '"', "#"]),
                max_size=40).map("".join))
def test_random_yaml_ish_token_soup(text):
    accepts_or_spec_error(parse_spec_text, text)


@FUZZ
@given(yaml_values)
def test_random_yaml_documents(value):
    accepts_or_spec_error(parse_spec_text, yaml.safe_dump(value))
    accepts_or_spec_error(parse_spec, value)


@FUZZ
@given(specs)
def test_structured_random_specs(value):
    accepts_or_spec_error(parse_spec, value)
    try:
        text = yaml.safe_dump(value)
    except (yaml.YAMLError, ValueError):
        return
    accepts_or_spec_error(parse_spec_text, text)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_in_a_file(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "spec.yaml"
        path.write_bytes(data)
        accepts_or_spec_error(load_spec, path, str(path))


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=15).map("".join))
def test_affine_and_statement_parsers(text):
    try:
        affine = parse_affine(text)
    except SpecError as error:
        assert "\n" not in str(error)
    else:  # what parses is a sum of integer terms: it reads back the same
        again = parse_affine(" + ".join([f"{c}*{n}" for n, c in affine.terms]
                                        + [str(affine.const)]))
        assert (again.coeffs, again.const) == (affine.coeffs, affine.const)
    try:
        statement = parse_statement(text)
    except SpecError as error:
        assert "\n" not in str(error)
    else:
        assert parse_statement(statement.text()) == statement


@FUZZ
@given(mutated_examples())
def test_mutated_examples(value):
    spec = accepts_or_spec_error(parse_spec, value)
    assert (spec is None) == (accepts_or_spec_error(parse_spec_text, yaml.safe_dump(value))
                              is None)  # the dict and YAML forms agree
    if value in EXAMPLES:  # an unedited example is valid
        assert spec is not None
