"""The bad-input contract of every command, asserted on mutated valid files and random
arguments: a run either works (exit 0) or prints ONE line ``lego: error: ...`` naming the file
it could not use, exits 2, prints no traceback and leaves nothing half-written in its output
folder. The last test checks that each command really was given inputs it had to reject."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lego.cli import main
from lego.errors import SpecError
from lego.spec import load_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "specs" / "gemm_os_4x4.yaml"
DATA = ROOT / "tests" / "data" / "scalesim"
CFG = DATA / "configs" / "os_8x8.cfg"
TOPOLOGY = DATA / "topologies" / "conv_mixed.csv"
ENERGY = ROOT / "sim" / "workload" / "energy_defaults.yaml"
REJECTED: Counter = Counter()  # command -> bad inputs it rejected (checked at the end)
TRIED: Counter = Counter()

JUNK = ["", "-1", "0", "x", "1e999", "nan", "-0.5", "99999999999999999999", "[", "]", "{", ":",
        ",", "#", "\t", "é", "'", "!!int", "&a", "*a", "int9999", "a b", "\\", "0x10", "1/0"]


@st.composite
def mutated(draw, text: str) -> str:
    """``text`` with one to three small edits: a token replaced, a line dropped, doubled or
    moved, junk inserted, or the file cut short."""
    for _ in range(draw(st.integers(1, 3))):
        lines = text.splitlines(keepends=True) or [""]
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["token", "token", "token", "drop", "double", "move",
                                       "insert", "cut"]))
        if action == "token":
            tokens = re.split(r"([\s,:=\[\]{}()]+)", lines[at])
            spot = draw(st.integers(0, len(tokens) - 1))
            tokens[spot] = draw(st.one_of(st.sampled_from(JUNK), st.text(max_size=4)))
            lines[at] = "".join(tokens)
        elif action == "drop":
            del lines[at]
        elif action == "double":
            lines.insert(at, lines[at])
        elif action == "move":
            lines.insert(draw(st.integers(0, len(lines))), lines.pop(at))
        elif action == "insert":
            lines.insert(at, draw(st.sampled_from(JUNK)) + "\n")
        else:
            lines = lines[:at] + [lines[at][:draw(st.integers(0, len(lines[at])))]]
        text = "".join(lines)
    return text


def _contract(capsys, command: str, argv: list[str], names: str | None = None,
              out: Path | None = None) -> int:
    """Run ``lego argv``; assert the contract; count rejections. ``names``: the path the
    error line must name (a file the command read)."""
    TRIED[command] += 1
    try:
        code = main(argv)
    except SystemExit as exit_:  # a usage error, raised by argparse
        code = exit_.code
    err = capsys.readouterr().err
    assert code in (0, 2), (argv, code, err)
    if code == 2:
        REJECTED[command] += 1
        assert err.count("\n") == 1 and err.startswith("lego: error: "), err
        assert "Traceback" not in err
        if names is not None:
            assert names in err, err
    if out is not None and out.parent.exists():
        leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
        assert not [n for n in leftovers if not n.endswith((".build", ".lock"))], leftovers
        if out.exists():
            assert (out / "manifest.json").is_file()
    return code


FILES = settings(max_examples=40, deadline=None, derandomize=True,
                 suppress_health_check=list(HealthCheck))


def _spec_file(tmp_path_factory, text: str) -> Path:
    folder = tmp_path_factory.mktemp("in")
    path = folder / "spec.yaml"
    path.write_text(text)
    return path


@FILES
@given(text=mutated(SPEC.read_text()))
def test_check_golden_gen_on_mutated_specs(tmp_path_factory, capsys, text):
    path = _spec_file(tmp_path_factory, text)
    out = path.parent / "out"
    _contract(capsys, "check", ["check", str(path)], names=str(path))
    _contract(capsys, "golden", ["golden", str(path), "--save", str(path.parent / "g.npz")],
              names=str(path))
    _contract(capsys, "gen", ["gen", str(path), "--stage", "adg", "-o", str(out)],
              names=str(path), out=out)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(text=mutated(SPEC.read_text()))
def test_verify_and_sim_design_on_mutated_specs(tmp_path_factory, capsys, text):
    path = _spec_file(tmp_path_factory, text)
    try:
        load_spec(path)
    except SpecError:
        pass
    else:
        return  # a valid spec would be built and simulated: not what this test is about
    out = path.parent / "out"
    _contract(capsys, "verify", ["verify", str(path), "-o", str(out)], names=str(path),
              out=out)
    _contract(capsys, "sim design", ["sim", "design", str(path)], names=str(path))


@FILES
@given(config=mutated(CFG.read_text()), topology=mutated(TOPOLOGY.read_text()),
       which=st.sampled_from(["config", "topology", "both"]))
def test_sim_scalesim_on_mutated_configs_and_topologies(tmp_path_factory, capsys, config,
                                                        topology, which):
    folder = tmp_path_factory.mktemp("in")
    cfg, csv = folder / "a.cfg", folder / "t.csv"
    cfg.write_text(config if which != "topology" else CFG.read_text())
    csv.write_text(topology if which != "config" else TOPOLOGY.read_text())
    names = None if which == "both" else str(cfg if which == "config" else csv)
    _contract(capsys, "sim scalesim", ["sim", "scalesim", "--config", str(cfg), "--topology",
                                       str(csv), "--json"], names=names)


@FILES
@given(topology=mutated(TOPOLOGY.read_text()), energy=mutated(ENERGY.read_text()),
       which=st.sampled_from(["layers", "energy"]))
def test_sim_layer_on_mutated_workloads_and_energy_tables(tmp_path_factory, capsys, topology,
                                                          energy, which):
    folder = tmp_path_factory.mktemp("in")
    csv, table = folder / "w.csv", folder / "e.yaml"
    csv.write_text(topology if which == "layers" else TOPOLOGY.read_text())
    table.write_text(energy if which == "energy" else ENERGY.read_text())
    _contract(capsys, "sim layer", ["sim", "layer", "--layers", str(csv), "--energy", str(table),
                                    "--array", "8x8", "--json"],
              names=str(csv if which == "layers" else table))


numbers = st.one_of(st.sampled_from(["0", "-1", "3", "x", "", "1e3", "nan", "2.5", "65"]),
                    st.integers(-4, 40).map(str))


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(option=st.sampled_from(["--parallelism", "--max-n", "--score-width", "--index-width"]),
       value=numbers, form=st.sampled_from(["topk", "pq"]),
       pq_option=st.sampled_from(["--head-dim", "--lanes", "--msb-bits", "--lsb-bits",
                                  "--query-bits", "--max-len", "--threshold", "--prob-bits",
                                  "--exp-lut-bits", "--scale-bits", "--exp-units"]))
def test_spatten_engines_on_random_arguments(tmp_path_factory, capsys, option, value, form,
                                             pq_option):
    out = tmp_path_factory.mktemp("o") / "d"
    small = (["spatten", "topk", "--parallelism", "4", "--max-n", "64", "--score-width", "8",
              "--index-width", "6"] if form == "topk" else
             ["spatten", "pq", "--head-dim", "8", "--lanes", "4", "--max-len", "16"])
    _contract(capsys, f"spatten {form}",
              small + [option if form == "topk" else pq_option, value, "-o", str(out)], out=out)


@pytest.mark.parametrize("argv", [
    ["spatten", "topk", "-o", "/dev/null/x"], ["spatten", "pq", "-o", "/dev/null/x"],
    ["gen", str(SPEC), "-o", "/dev/null/x"], ["golden", str(SPEC), "--save", "/dev/null/x.npz"],
    ["check", str(ROOT)], ["check", "/nonexistent.yaml"], ["golden", str(SPEC), "--seed", "-1"],
    ["gen", str(SPEC), "--period", "0"], ["gen", str(SPEC), "--period", "nan"],
    ["verify", str(SPEC), "--seeds", "0"], ["synth", str(SPEC), "--target", "bogus"],
    ["synth", str(SPEC), "--seed", "-1"], ["synth", str(SPEC), "--period", "0"],
    ["synth", "/nonexistent.v"], ["sim", "design", str(SPEC), "--period", "-3"],
    ["sim", "layer", "--layer", "gemm:M=0,N=4,K=4"], ["sim", "layer", "--layer", "conv:"],
    ["sim", "scalesim", "--config", "/nonexistent.cfg", "--topology", str(TOPOLOGY)],
    ["fuzz", "--count", "0"], ["fuzz", "--period", "fast"], ["fuzz", "--seeds", "0"],
], ids=lambda argv: " ".join(argv[:2]))
def test_bad_arguments_of_every_command(capsys, argv):
    command = " ".join(a for a in argv[:2] if not a.startswith(("-", "/")) and
                       not a.endswith(".yaml"))
    assert _contract(capsys, command, argv) == 2


def test_every_command_rejected_bad_input():
    """The mutations above really were bad input (a contract never exercised proves nothing):
    counts per command, printed for the record."""
    if not TRIED:
        pytest.skip("run with the tests above (it counts what they tried)")
    print(dict(sorted(TRIED.items())), dict(sorted(REJECTED.items())))
    for command in ("check", "golden", "gen", "verify", "sim design", "sim scalesim",
                    "sim layer", "spatten topk", "spatten pq"):
        assert REJECTED[command] >= 5, (command, REJECTED[command], TRIED[command])
