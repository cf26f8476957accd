"""``lego verify --waves`` leaves an FST file beside the design it shows."""

from pathlib import Path

import pytest

from lego.toolchain import fst_supported
from lego.verify import WAVES_FILE, verify

pytestmark = pytest.mark.rtl

SPEC = Path(__file__).resolve().parent.parent.parent / "examples" / "specs" / "mttkrp_4x4.yaml"


# FST needs the LZ4 C headers, a system package no wheel ships: without them --waves refuses in
# one line (tests/test_lego_verify*.py), and this test has nothing to run
@pytest.mark.skipif(not fst_supported(), reason="no LZ4 C headers (Debian: liblz4-dev)")
def test_waves_are_written_as_fst_next_to_the_design(tmp_path):
    summary = verify(str(SPEC), seeds=1, waves=True, out=str(tmp_path / "design"),
                     build_dir=tmp_path / "build")
    assert summary["passed"]
    waves = tmp_path / "design" / WAVES_FILE
    # an FST file opens with its header block: type 0, then the block's 64-bit length 329
    assert waves.read_bytes()[:9] == bytes([0, 0, 0, 0, 0, 0, 0, 1, 0x49])
    assert not (tmp_path / "build" / WAVES_FILE).exists()
