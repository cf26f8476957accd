"""Named presets that expand to the general spec form (``lego check --expand`` shows it).

``preset: gemm-os`` (or a list such as ``[gemm-os, gemm-ws]`` for a fused design) with
``size: {M, N, K}`` and ``array: [rows, cols]`` becomes ``C[i, j] += A[i, k] * B[k, j]`` with
one dataflow per preset:
- gemm-os: C[i, j] stays in FU (p, q); k runs in time.
- gemm-ws: B[k, j] stays in FU (p, q); i runs in time (innermost).
- gemm-is: A[i, k] stays in FU (p, q); j runs in time (innermost).
"""

from __future__ import annotations

__all__ = ["PRESETS", "expand"]

PRESETS = ("gemm-os", "gemm-ws", "gemm-is")
_FIELDS = ("preset", "name", "description", "size", "array", "dtypes")


def _gemm_dataflow(kind: str, size: dict[str, int], rows: int, cols: int) -> dict:
    m, n, k = size["M"], size["N"], size["K"]
    if kind == "gemm-os":
        return {"name": "os", "spatial": {"p": rows, "q": cols},
                "temporal": {"ti": m // rows, "tj": n // cols, "tk": k},
                "map": {"i": f"{rows}*ti + p", "j": f"{cols}*tj + q", "k": "tk"}}
    if kind == "gemm-ws":
        return {"name": "ws", "spatial": {"p": rows, "q": cols},
                "temporal": {"tk": k // rows, "tj": n // cols, "ti": m},
                "map": {"i": "ti", "j": f"{cols}*tj + q", "k": f"{rows}*tk + p"}}
    return {"name": "is", "spatial": {"p": rows, "q": cols},
            "temporal": {"ti": m // rows, "tk": k // cols, "tj": n},
            "map": {"i": f"{rows}*ti + p", "j": "tj", "k": f"{cols}*tk + q"}}


# which size each array axis tiles, per preset
_AXES = {"gemm-os": ("M", "N"), "gemm-ws": ("K", "N"), "gemm-is": ("M", "K")}


def expand(data: dict, doc) -> dict:
    """Turn a preset spec into the general form; errors are located in the preset fields."""
    for key in data:
        if key not in _FIELDS:
            raise doc.error((key,), f"unknown field {key!r} for a preset spec "
                                    f"(fields: {', '.join(_FIELDS)})")
    kinds = data["preset"]
    kinds = [kinds] if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list) or not kinds:
        raise doc.error(("preset",), f"must be a preset name or a list of them, not {kinds!r}")
    for index, kind in enumerate(kinds):
        if kind not in PRESETS:
            path = ("preset",) if isinstance(data["preset"], str) else ("preset", index)
            raise doc.error(path, f"unknown preset {kind!r} (presets: {', '.join(PRESETS)})")
    for key in ("size", "array"):
        if key not in data:
            raise doc.error((key,), "required field is missing")
    size = data["size"]
    if not isinstance(size, dict) or set(size) != {"M", "N", "K"}:
        raise doc.error(("size",), f"must be a mapping with M, N and K, not {size!r}")
    for key, value in size.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise doc.error(("size", key), f"must be a positive integer, not {value!r}")
    array = data["array"]
    if (not isinstance(array, list) or len(array) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in array)):
        raise doc.error(("array",), f"must be [rows, cols] of positive integers, not {array!r}")
    rows, cols = array
    for kind in kinds:
        for axis, extent in zip(_AXES[kind], (rows, cols), strict=True):
            if size[axis] % extent:
                raise doc.error(("size", axis), f"{size[axis]} is not a multiple of the array "
                                f"extent {extent} that {kind} maps it to")
    if len(set(kinds)) != len(kinds):
        raise doc.error(("preset",), f"lists a preset twice: {kinds!r}")
    general = {"name": data["name"]} if "name" in data else {}  # missing: reported later
    return general | {
        "loops": {"i": size["M"], "j": size["N"], "k": size["K"]},
        "statement": "C[i, j] += A[i, k] * B[k, j]",
        "dtypes": data.get("dtypes", {"A": "int8", "B": "int8", "C": "int32"}),
        "dataflows": [_gemm_dataflow(kind, size, rows, cols) for kind in kinds],
    }
