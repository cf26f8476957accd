"""``lego fuzz`` end to end with a stand-in for the Verilator check: every spec is reported,
a failure is shrunk and kept as a regression file that names its first problem, and the exit
status says whether anything failed."""

import pytest
import yaml

import lego.fuzz.session as session
from lego.cli import main
from lego.fuzz.run import Outcome
from lego.spec import parse_spec


def _stand_in(fails):
    def check(recipe, period, seeds=2, build_dir=None):
        if fails(recipe):
            return Outcome("fail", f"seed 0 dataflow d0: C[0, 0] = 1, expected 2 ({period})")
        return Outcome("pass")
    return check


def test_a_failure_is_shrunk_and_kept(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(session, "check", _stand_in(lambda r: len(r.flows) == 2))
    assert main(["fuzz", "--count", "12", "--seed", "4", "--period", "7.5",
                 "--regressions", str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("lego fuzz: 12 specs (seed 4): ") and " 0 crash" in out[-1]
    kept = sorted(tmp_path.glob("*.yaml"))
    assert kept and all(line.startswith("    kept ") for line in out if "kept" in line)
    text = kept[0].read_text()
    assert "# lego verify THIS --seeds 2 --period 7.5: fail" in text
    assert "# first problem: seed 0 dataflow d0: C[0, 0] = 1, expected 2 (7.5)" in text
    spec = parse_spec(yaml.safe_load(text))
    assert len(spec.dataflows) == 2 and spec.num_points <= 8  # shrunk: still two dataflows


def test_all_passing_exits_0_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(session, "check", _stand_in(lambda r: False))
    assert main(["fuzz", "--count", "3", "--regressions", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "lego fuzz: 3 specs (seed 0): 3 pass, 0 fail, 0 crash, 0 rejected")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("argv,message", [
    (["--count", "0"], "--count must be at least 1, not 0"),
    (["--period", "-2"], "argument --period: not a positive number of ns or 'tight': '-2'"),
])
def test_bad_arguments(capsys, argv, message):
    try:
        code = main(["fuzz", *argv])
    except SystemExit as exit_:
        code = exit_.code
    assert code == 2 and message in capsys.readouterr().err
