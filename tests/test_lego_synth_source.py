"""What ``lego synth`` synthesizes: a spec (generated or reused), a design folder, a .v file."""

import json
from pathlib import Path

import pytest

from lego.errors import LegoError
from lego.synth.source import expected_manifest, from_folder, from_verilog, resolve

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "examples" / "specs" / "gemm_os_4x4.yaml"


def test_a_spec_is_generated_once_and_then_reused(tmp_path):
    first = resolve(str(SPEC), out=str(tmp_path / "d"))
    assert first.generated and first.top == "gemm_os_4x4"
    assert first.verilog == tmp_path / "d" / "gemm_os_4x4.v"
    again = resolve(str(SPEC), out=str(tmp_path / "d"))
    assert not again.generated and again.verilog == first.verilog
    written = json.loads((tmp_path / "d" / "manifest.json").read_text())
    text = SPEC.read_text()
    assert written == expected_manifest("gemm_os_4x4", text, None)
    # another period, or an edited spec, is another design
    assert written != expected_manifest("gemm_os_4x4", text, 4.0)
    assert written != expected_manifest("gemm_os_4x4", text + "# edited\n", None)


def test_a_design_folder_is_read_through_its_core(tmp_path):
    (tmp_path / "eng.v").write_text("module eng(input a); endmodule\n")
    (tmp_path / "eng.core").write_text(
        "CAPI=2:\nfilesets:\n  rtl:\n    files:\n      - eng.v\ntargets:\n  default:\n"
        "    toplevel: eng\n  lint:\n    toplevel: eng\n")
    found = from_folder(tmp_path)
    assert (found.verilog, found.top, found.folder) == (tmp_path / "eng.v", "eng", tmp_path)


def test_a_folder_without_a_core_is_refused(tmp_path):
    with pytest.raises(LegoError, match=r"expected one FuseSoC \.core file .* found 0$"):
        from_folder(tmp_path)


def test_the_top_of_a_verilog_file(tmp_path):
    source = tmp_path / "two.v"
    source.write_text("module leaf(input a); endmodule\n(* top =  1  *)\n(* generator = \"x\" *)\n"
                      "module root(input a); endmodule\n")
    assert from_verilog(source, None).top == "root"  # marked by Amaranth
    assert from_verilog(source, "leaf").top == "leaf"
    with pytest.raises(LegoError, match=r"two\.v: no module 'nope' \(has leaf, root\)$"):
        from_verilog(source, "nope")
    source.write_text("module a(); endmodule\nmodule b(); endmodule\n")
    with pytest.raises(LegoError, match=r"two\.v: has 2 modules; name the top with --top$"):
        from_verilog(source, None)
