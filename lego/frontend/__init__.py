"""The LEGO front end: spec -> reuse -> interconnect -> fusion -> memory -> ADG."""

from lego.frontend.adg import ADG
from lego.frontend.passes import PASS_NAMES, run_passes

__all__ = ["ADG", "PASS_NAMES", "run_passes", "generate_adg"]


def generate_adg(spec) -> ADG:
    """Run every front-end pass on a spec and return its Architecture Description Graph."""
    return run_passes(spec).adg
