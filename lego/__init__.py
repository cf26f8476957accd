"""lego: a spatial-accelerator generator and cycle-level simulator.

The public Python API of the spec front end: build a spec from a dict (``parse_spec``) or a
YAML file (``load_spec``), then run the numpy golden model (``random_inputs``, ``evaluate``).
"""

from lego.errors import LegoError, SpecError
from lego.golden import checksum, evaluate, random_inputs
from lego.ir import Dataflow, DType, Spec, Tensor
from lego.spec import load_spec, parse_spec, parse_spec_text

__all__ = [
    "DType", "Dataflow", "LegoError", "Spec", "SpecError", "Tensor", "checksum", "evaluate",
    "load_spec", "parse_spec", "parse_spec_text", "random_inputs",
]
