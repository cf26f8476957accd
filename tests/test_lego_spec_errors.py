"""The bad-input corpus: every malformed spec in tests/bad_specs/ gives exactly the pinned
stderr line (tests/bad_specs/expected.yaml), exit status 2, nothing on stdout, no traceback.
Run through the real CLI entry point, as a user would."""

import re
from pathlib import Path

import pytest
import yaml

from lego.cli import main

CORPUS = Path(__file__).parent / "bad_specs"
EXPECTED_FILE = CORPUS / "expected.yaml"
EXPECTED = yaml.safe_load(EXPECTED_FILE.read_text())
CASES = sorted(p.stem for p in CORPUS.glob("*.yaml") if p != EXPECTED_FILE)
LOCATED = r"lego: error: [^:]+:\d+: [A-Za-z_][\w.\[\]]*: \S"
# Problems with the file as a whole have no field (and no line when there is no content).
WHOLE_FILE = {"empty", "empty_document", "only_comments", "non_utf8", "yaml_list", "yaml_scalar",
              "not_yaml", "yaml_two_documents", "tab_indentation"}


def run_cli(argv, capsys) -> tuple[int, str, str]:
    status = main(argv)
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_corpus_is_large_and_every_case_is_pinned():
    assert len(CASES) >= 30
    assert sorted(EXPECTED) == CASES


@pytest.mark.parametrize("case", CASES)
def test_bad_spec_gives_the_pinned_error(case, capsys):
    path = CORPUS / f"{case}.yaml"
    status, out, err = run_cli(["check", str(path)], capsys)
    assert (status, out) == (2, "")
    assert err == "lego: error: " + EXPECTED[case].format(file=path) + "\n"
    if case not in WHOLE_FILE:  # errors inside the document name line and field
        assert re.match(LOCATED, err), err


@pytest.mark.parametrize("case", ["empty", "not_yaml", "bound_zero", "map_repeats_points",
                                  "preset_unknown", "non_utf8"])
def test_golden_reports_the_same_error(case, capsys):
    path = CORPUS / f"{case}.yaml"
    status, out, err = run_cli(["golden", str(path), "--seed", "1"], capsys)
    assert (status, out) == (2, "")
    assert err == "lego: error: " + EXPECTED[case].format(file=path) + "\n"


def test_missing_file(tmp_path, capsys):
    path = tmp_path / "nothing.yaml"
    status, out, err = run_cli(["check", str(path)], capsys)
    assert (status, out, err) == (2, "", f"lego: error: {path}: no such file\n")


def test_directory(tmp_path, capsys):
    status, out, err = run_cli(["check", str(tmp_path)], capsys)
    assert (status, out, err) == (2, "", f"lego: error: {tmp_path}: is a directory, "
                                         "not a spec file\n")


def test_unreadable_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "secret.yaml"
    path.write_text("name: g\n")

    def refuse(self, *args, **kwargs):  # chmod 0 does not stop root, so refuse by hand
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_text", refuse)
    status, out, err = run_cli(["check", str(path)], capsys)
    assert (status, out, err) == (2, "", f"lego: error: {path}: cannot read: "
                                         "Permission denied\n")
