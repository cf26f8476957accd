"""lego: a spatial-accelerator generator and cycle-level simulator.

The public Python API of the spec front end: build a spec from a dict (``parse_spec``) or a
YAML file (``load_spec``), then run the numpy golden model (``random_inputs``, ``evaluate``).

Names are imported on first use (PEP 562), so that ``import lego.errors`` (every command does)
does not pay for numpy and the spec parser: ``lego sim`` on SCALE-Sim files needs neither.
"""

from importlib import import_module

__all__ = [
    "DType", "Dataflow", "LegoError", "Spec", "SpecError", "Tensor", "checksum", "evaluate",
    "load_spec", "parse_spec", "parse_spec_text", "random_inputs",
]

_HOMES = {
    "LegoError": "lego.errors", "SpecError": "lego.errors",
    "checksum": "lego.golden", "evaluate": "lego.golden", "random_inputs": "lego.golden",
    "DType": "lego.ir", "Dataflow": "lego.ir", "Spec": "lego.ir", "Tensor": "lego.ir",
    "load_spec": "lego.spec", "parse_spec": "lego.spec", "parse_spec_text": "lego.spec",
}


def __getattr__(name: str):
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'lego' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
