"""Spec validation (lego/spec.py): the Python API, presets, and the coverage check of a
dataflow mapping (every iteration point exactly once), fast path against enumeration."""

import copy
import dataclasses
import itertools
import math
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import lego
from lego import SpecError, load_spec, parse_spec, parse_spec_text
from lego.ir import Spec

SPECS = Path(__file__).parents[1] / "examples" / "specs"
EXAMPLES = sorted(SPECS.glob("*.yaml"))


def without_source(spec: Spec, name: str | None = None) -> Spec:
    return dataclasses.replace(spec, source="-", name=name or spec.name)


def test_public_api():
    assert set(lego.__all__) >= {"parse_spec", "load_spec", "evaluate", "random_inputs",
                                 "SpecError"}
    for name in lego.__all__:
        assert getattr(lego, name) is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_dict_equals_yaml(path):
    from_dict = parse_spec(yaml.safe_load(path.read_text()))
    from_file = load_spec(path)
    assert from_file.source == str(path) and from_dict.source == "<dict>"
    assert without_source(from_dict) == without_source(from_file)


def test_dict_built_in_python_equals_yaml():
    spec = parse_spec({
        "name": "gemm_os_4x4",
        "loops": {"i": 8, "j": 8, "k": 8},
        "statement": "C[i, j] += A[i, k] * B[k, j]",
        "dtypes": {"A": "int8", "B": "int8", "C": "int32"},
        "dataflows": [{"name": "os", "spatial": {"p": 4, "q": 4},
                       "temporal": {"ti": 2, "tj": 2, "tk": 8},
                       "map": {"i": "4*ti + p", "j": "4*tj + q", "k": "tk"}}],
    })
    assert without_source(spec) == without_source(load_spec(SPECS / "gemm_os_4x4.yaml"))


def test_python_api_accepts_numpy_integers_and_leaves_the_dict_alone():
    data = yaml.safe_load((SPECS / "gemm_os_4x4.yaml").read_text())
    data["loops"] = {name: np.int64(bound) for name, bound in data["loops"].items()}
    data["dataflows"][0]["map"]["k"] = "tk"
    before = copy.deepcopy(data)
    spec = parse_spec(data)
    assert data == before
    assert spec.loops == (("i", 8), ("j", 8), ("k", 8))
    assert all(type(bound) is int for _, bound in spec.loops)
    assert without_source(spec) == without_source(load_spec(SPECS / "gemm_os_4x4.yaml"))


def test_preset_expands_to_the_hand_written_fused_spec():
    preset = load_spec(SPECS / "gemm_preset_4x4.yaml")
    fused = load_spec(SPECS / "gemm_os_ws_fused_4x4.yaml")
    assert preset.name == "gemm_preset_4x4"
    assert without_source(preset, name="x") == without_source(fused, name="x")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_expanded_form_parses_to_the_same_ir(path):
    spec = load_spec(path)
    again = parse_spec_text(yaml.safe_dump(spec.to_dict(), sort_keys=False))
    assert without_source(again) == without_source(spec)


@pytest.mark.parametrize("kind, temporal, expressions", [
    ("gemm-os", {"ti": 2, "tj": 4, "tk": 12}, ("2*ti + p", "4*tj + q", "tk")),
    ("gemm-ws", {"tk": 3, "tj": 4, "ti": 4}, ("ti", "4*tj + q", "4*tk + p")),
    ("gemm-is", {"ti": 2, "tk": 3, "tj": 16}, ("2*ti + p", "tj", "4*tk + q")),
])
def test_each_preset(kind, temporal, expressions):
    spec = parse_spec({"preset": kind, "name": "g", "size": {"M": 4, "N": 16, "K": 12},
                       "array": [2, 4] if kind != "gemm-ws" else [4, 4],
                       "dtypes": {"A": "int4", "B": "uint4", "C": "int16"}})
    (flow,) = spec.dataflows
    assert flow.name == kind.split("-")[1]
    assert dict(flow.temporal) == temporal
    assert flow.expressions == expressions
    assert [t.dtype.name for t in spec.tensors] == ["int4", "uint4", "int16"]


def test_preset_errors_use_preset_fields():
    with pytest.raises(SpecError, match=r"^<string>:3: array: must be \[rows, cols\] of "
                                        r"positive integers, not \[4, 0\]$"):
        parse_spec_text("preset: gemm-os\nsize: {M: 8, N: 8, K: 8}\narray: [4, 0]\nname: g\n")
    with pytest.raises(SpecError, match=r"^<string>:1: preset: lists a preset twice: "
                                        r"\['gemm-os', 'gemm-os'\]$"):
        parse_spec_text("preset: [gemm-os, gemm-os]\nsize: {M: 8, N: 8, K: 8}\narray: [4, 4]\n"
                        "name: g\n")
    with pytest.raises(SpecError, match=r"^<string>:1: name: required field is missing$"):
        parse_spec_text("preset: gemm-os\nsize: {M: 8, N: 8, K: 8}\narray: [4, 4]\n")
    with pytest.raises(SpecError, match=r"^<string>:2: loops: unknown field 'loops' for a "
                                        r"preset spec"):
        parse_spec_text("preset: gemm-os\nloops: {i: 4}\n")


def test_yaml_merge_keys_and_anchors():
    spec = parse_spec_text("""
name: g
loops: {i: 4, j: 4}
statement: C[i, j] += A[i] * B[j]
dtypes: {A: int8, B: int8, C: int32}
dataflows:
  - &os {name: os, spatial: {p: 4}, temporal: {t: 4}, map: {i: p, j: t}}
  - {<<: *os, name: swapped, map: {i: t, j: p}}
""")
    assert [d.name for d in spec.dataflows] == ["os", "swapped"]
    assert spec.dataflows[1].M.tolist() == [[1, 0], [0, 1]]


def test_python_api_rejects_non_string_keys():
    with pytest.raises(SpecError, match=r"^<dict>: loops\[1\]: index name 1 is not a plain "
                                        r"identifier"):
        parse_spec({"name": "g", "loops": {1: 2}})
    with pytest.raises(SpecError, match=r"^<dict>: size: must be a mapping with M, N and K"):
        parse_spec({"preset": "gemm-os", "size": {1: 2, "M": 3}, "array": [1, 1]})


# ---------------------------------------------------------------------------------------------
# coverage: a mapping must hit every iteration point exactly once


def brute_force_bijection(loops: dict, variables: dict, mapping: dict) -> bool:
    hits = {}
    names = list(variables)
    for values in itertools.product(*(range(b) for b in variables.values())):
        env = dict(zip(names, values, strict=True))
        point = tuple(sum(c * env[v] for v, c in mapping[loop][0].items()) + mapping[loop][1]
                      for loop in loops)
        if any(not 0 <= x < b for x, b in zip(point, loops.values(), strict=True)):
            return False
        hits[point] = hits.get(point, 0) + 1
    return len(hits) == math.prod(loops.values()) and set(hits.values()) == {1}


def spec_dict(loops, temporal, spatial, mapping) -> dict:
    def text(terms, const):
        return " + ".join([f"{c}*{v}" for v, c in terms.items()] + [str(const)])
    names = list(loops)
    return {"name": "cov", "loops": loops,
            "statement": f"C[{', '.join(names)}] += A[{', '.join(names)}]",
            "dtypes": {"A": "int8", "C": "int32"},
            "dataflows": [{"name": "d", "temporal": temporal, "spatial": spatial,
                           "map": {loop: text(*mapping[loop]) for loop in names}}]}


def accepted(data: dict) -> bool:
    try:
        parse_spec(data)
    except SpecError as error:
        assert error.field.startswith("dataflows[0].map"), error
        assert "never mapped" in error.message or "more than once" in error.message \
            or "outside loops" in error.message, error
        return False
    return True


def check_both_paths(loops, temporal, spatial, mapping):
    data = spec_dict(loops, temporal, spatial, mapping)
    expected = brute_force_bijection(loops, temporal | spatial, mapping)
    assert accepted(data) == expected
    with mock.patch("lego.spec._is_plain_tiling", return_value=False), \
            mock.patch("lego.spec._ENUMERATION_CHUNK", 5):
        assert accepted(data) == expected  # the enumeration path on its own, in chunks
    return expected


@st.composite
def random_maps(draw):
    """Small random affine maps: mostly wrong, sometimes a permuted or reflected bijection."""
    loops = {f"l{n}": draw(st.integers(1, 6)) for n in range(draw(st.integers(1, 2)))}
    count = draw(st.integers(1, 3))
    variables = {f"v{n}": draw(st.integers(1, 4)) for n in range(count)}
    split = draw(st.integers(0, count - 1))
    temporal = dict(list(variables.items())[:split])
    spatial = dict(list(variables.items())[split:])
    coeff = st.sampled_from([0, 0, 1, 1, -1, 2, 3, 4])
    mapping = {loop: ({v: draw(coeff) for v in variables}, draw(st.integers(-2, 3)))
               for loop in loops}
    return loops, temporal, spatial, mapping


@settings(max_examples=150, deadline=None, derandomize=True)
@given(random_maps())
def test_coverage_random_maps_agree_with_brute_force(case):
    check_both_paths(*case)


@st.composite
def tilings(draw):
    """Mixed-radix tilings (the fast path) in random variable order, some reflected."""
    loops, temporal, spatial, mapping = {}, {}, {}, {}
    counter = itertools.count()
    for n in range(draw(st.integers(1, 2))):
        factors = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))  # <= 27 per loop
        terms, radix, const = {}, 1, 0
        for factor in factors:
            name = f"v{next(counter)}"
            (spatial if draw(st.booleans()) else temporal)[name] = factor
            sign = draw(st.sampled_from([1, 1, -1]))
            terms[name] = sign * radix
            const += (factor - 1) * radix if sign < 0 else 0
            radix *= factor
        loops[f"l{n}"] = radix
        mapping[f"l{n}"] = (dict(draw(st.permutations(list(terms.items())))), const)
    if not spatial:
        spatial["s"] = 1
        first = next(iter(mapping))
        mapping[first][0]["s"] = 0
    return loops, temporal, spatial, mapping


@settings(max_examples=100, deadline=None, derandomize=True)
@given(tilings())
def test_coverage_tilings_accepted_by_both_paths(case):
    from lego.spec import _is_plain_tiling
    assert check_both_paths(*case)
    spec = parse_spec(spec_dict(*case))
    assert _is_plain_tiling(spec.dataflows[0], spec.loop_bounds)  # no enumeration needed


@pytest.mark.parametrize("chunk", [1, 3, 1 << 18])
def test_skew_leaves_the_box(chunk, monkeypatch):
    monkeypatch.setattr("lego.spec._ENUMERATION_CHUNK", chunk)
    # (i, j) = (t + p, p) is one-to-one but its image is a parallelogram, not the loop box.
    loops, spatial, temporal = {"i": 4, "j": 2}, {"p": 2}, {"t": 4}
    skewed = {"i": ({"t": 1, "p": 1}, 0), "j": ({"p": 1}, 0)}
    assert not check_both_paths(loops, temporal, spatial, skewed)
    with pytest.raises(SpecError, match=r"point \(t=3, p=1\) gives i=4, outside loops.i"):
        parse_spec(spec_dict(loops, temporal, spatial, skewed))


@pytest.mark.parametrize("chunk", [1, 2, 1 << 18])
def test_coverage_error_names_first_point(chunk, monkeypatch):
    monkeypatch.setattr("lego.spec._ENUMERATION_CHUNK", chunk)
    loops, temporal, spatial = {"i": 4}, {"t": 2}, {"p": 2}
    repeats = {"i": ({"t": 1, "p": 1}, 0)}  # (t=1, p=0) and (t=0, p=1) both give i=1
    with pytest.raises(SpecError, match=r"^<dict>: dataflows\[0\].map: iteration \(i=1\) is "
                       r"mapped more than once: by \(t=0, p=1\) and by \(t=1, p=0\)$"):
        parse_spec(spec_dict(loops, temporal, spatial, repeats))
    misses = {"i": ({"t": 2}, 1)}  # i = 2*t + 1 gives 1 and 3
    with pytest.raises(SpecError, match=r"^<dict>: dataflows\[0\].map: iteration \(i=0\) is "
                       r"never mapped$"):
        parse_spec(spec_dict({"i": 4}, {"t": 2}, {"p": 1}, misses))
    misses_last = {"i": ({"t": 1}, 0)}  # the gap is after the last point that is mapped
    with pytest.raises(SpecError, match=r"^<dict>: dataflows\[0\].map: iteration \(i=3\) is "
                       r"never mapped$"):
        parse_spec(spec_dict({"i": 4}, {"t": 3}, {"p": 1}, misses_last))


def test_a_dataflow_runs_at_its_own_loops_inside_the_specs():
    # a fused design whose OS dataflow runs k < 5 and whose WS dataflow runs i < 6 of the
    # spec's 8 x 8 x 8 (the memories' size): the maps cover their own boxes, to_dict keeps them
    data = yaml.safe_load((SPECS / "gemm_os_ws_fused_4x4.yaml").read_text())
    data["dataflows"][0].update(loops={"k": 5}, temporal={"ti": 2, "tj": 2, "tk": 5})
    data["dataflows"][1].update(loops={"i": 6}, temporal={"tk": 2, "tj": 2, "ti": 6})
    spec = parse_spec(data)
    assert [spec.flow_bounds(f) for f in spec.dataflows] == [(8, 8, 5), (6, 8, 8)]
    assert [f.num_steps for f in spec.dataflows] == [20, 24]
    assert [d.get("loops") for d in spec.to_dict()["dataflows"]] == [{"k": 5}, {"i": 6}]
    assert parse_spec(spec.to_dict()) == spec
    plain = load_spec(SPECS / "gemm_os_ws_fused_4x4.yaml")
    assert all("loops" not in d for d in plain.to_dict()["dataflows"])
