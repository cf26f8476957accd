"""The SpAtten accelerator a trace runs on, stage by stage, and its two presets.

``full`` is the paper's design (SpAtten, HPCA 2021): HBM2 with 16 channels of 32 B per cycle at
1 GHz, 512 multipliers each for Q x K and prob x V, top-k engines of parallelism 16. ``eighth``
is the public reference's default 1/8 configuration: 2 channels, 64 multipliers each, P=16.

What the paper does not fix, we choose and say so: the softmax stage is ``softmax_units``
progressive-quantization engines (lego.spatten.pq) working on different heads at once, one per
key the Q x K array produces per cycle (multipliers / D: 8 for ``full``, 1 for ``eighth``), each
with ``softmax_exp_units`` = 4 exponentials per cycle, so that eight engines keep up with the
512-multiplier Q x K within a few percent on the shipped traces. One top-k engine does local
value pruning and another the cascade token and head pruning.

A YAML file overrides: ``preset: full|eighth`` (default full) and any field below by name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from pathlib import Path

from lego.errors import SpecError
from lego.yamlsource import load_yaml

__all__ = ["Hardware", "PRESETS", "load_hardware"]


@dataclass(frozen=True)
class Hardware:
    name: str
    frequency_ghz: float = 1.0
    dram_channels: int = 16
    dram_bytes_per_channel: int = 32      # per cycle
    qk_multipliers: int = 512
    pv_multipliers: int = 512
    softmax_units: int = 8
    softmax_exp_units: int = 4
    softmax_prob_bits: int = 16
    topk_parallelism: int = 16
    topk_score_bits: int = 16

    @property
    def dram_bytes_per_cycle(self) -> int:
        return self.dram_channels * self.dram_bytes_per_channel

    def to_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


PRESETS = {
    "full": Hardware("full"),
    "eighth": Hardware("eighth", dram_channels=2, qk_multipliers=64, pv_multipliers=64,
                       softmax_units=1),
}
_LIMITS = {"softmax_exp_units": (1, 64), "softmax_prob_bits": (4, 24),
           "topk_parallelism": (2, 64), "topk_score_bits": (2, 32)}


def _field_value(located, key: str, value):
    kind = Hardware.__dataclass_fields__[key].type
    if key == "frequency_ghz":
        if isinstance(value, bool) or not isinstance(value, int | float) or \
                not 0 < value < math.inf:
            raise located.error((key,), f"expected a positive number, got {value!r}")
        return float(value)
    low, high = _LIMITS.get(key, (1, 1 << 20))
    if kind == "int" and (isinstance(value, bool) or not isinstance(value, int)
                          or not low <= value <= high):
        raise located.error((key,), f"expected an integer in [{low}, {high}], got {value!r}")
    if key == "topk_parallelism" and value & (value - 1):
        raise located.error((key,), f"must be a power of two, got {value}")
    return value


def load_hardware(spec: str) -> Hardware:
    """A preset by name, or a YAML file of overrides."""
    if spec in PRESETS:
        return PRESETS[spec]
    path = Path(spec)
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise SpecError(f"not a preset ({', '.join(PRESETS)}) and no such file",
                        file=spec) from None
    except (OSError, UnicodeDecodeError) as error:
        raise SpecError(f"cannot read hardware file: {error}", file=spec) from None
    located = load_yaml(text, spec)
    data = located.value
    if not isinstance(data, dict):
        raise located.error((), "expected a mapping of hardware fields")
    base = data.get("preset", "full")
    if base not in PRESETS:
        raise located.error(("preset",), f"expected one of {', '.join(PRESETS)}, got {base!r}")
    known = [f.name for f in fields(Hardware) if f.name != "name"]
    overrides = {}
    for key, value in data.items():
        if key == "preset":
            continue
        if key not in known:
            raise located.error((key,), f"unknown hardware field (known: {', '.join(known)})")
        overrides[key] = _field_value(located, key, value)
    return replace(PRESETS[base], name=f"{path.name} ({base})", **overrides)
