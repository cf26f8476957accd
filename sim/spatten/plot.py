"""``--plot F.png``: the DRAM ladder and the cycles per layer (matplotlib, the optional ``plot``
extra). Written to a temporary name and renamed, so a killed run leaves no half-written file."""

from __future__ import annotations

import os
from pathlib import Path

from lego.errors import LegoError

__all__ = ["plot"]

_SHORT = ("dense", "+token", "+head", "+local V", "+MSB only", "+LSB")  # ladder.STEPS, briefly


def _figure(result: dict):
    import matplotlib
    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(11, 4.2))
    ladder, layers = figure.subplots(1, 2)
    steps = result["ladder"]
    ladder.bar(range(len(steps)), [s["bytes"] / 1e6 for s in steps], color="tab:blue")
    ladder.set_xticks(range(len(steps)), _SHORT, fontsize=8)
    ladder.set_ylabel("DRAM MB")
    ladder.set_title(f"DRAM ladder (dense at {result['dense_bits']} bits)")
    for i, s in enumerate(steps):
        ladder.annotate(f"{s['total_reduction']:.2f}x", (i, s["bytes"] / 1e6), ha="center",
                        va="bottom", fontsize=7)
    per_layer: dict[int, int] = {}
    for x in result["layers"]:
        per_layer[x["layer"]] = per_layer.get(x["layer"], 0) + x["cycles"]
    layers.bar(list(per_layer), list(per_layer.values()), color="tab:orange")
    layers.set_xlabel("layer")
    layers.set_ylabel("cycles (all iterations)")
    layers.set_title(f"{result['hardware']['name']}, bottleneck {result['bottleneck']}")
    figure.tight_layout()
    return figure


def plot(result: dict, path: str) -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise LegoError("--plot needs matplotlib: pip install 'lego[plot]'") from None
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        _figure(result).savefig(temporary, format="png", dpi=100, metadata={"Software": None})
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise LegoError(f"{path}: cannot write plot: {error.strerror}") from None
