"""SCALE-Sim's compute model in closed form: cycles, utilisation and SRAM traffic per layer.

A layer is a GEMM (M output pixels, N filters, K = Fh*Fw*C). On an R x C array a dataflow maps
two of the three dimensions to space (Sr along rows, Sc along columns) and runs the third in
time (T):

    OS: Sr = M, Sc = N, T = K      WS: Sr = K, Sc = N, T = M      IS: Sr = K, Sc = M, T = N

The work is cut into ceil(Sr/R) * ceil(Sc/C) folds, run one after the other. SCALE-Sim builds a
demand matrix with one row per cycle; a fold takes R + C + T - 2 rows under OS and
2R + C + T - 2 under WS and IS (the stationary operand is loaded first). With CALC bandwidth
nothing stalls, and the reported cycle count is the index of the last row: total - 1.
Degenerate shapes (1x1, 1xN, Nx1 arrays; M, N or K of 1) follow the same formulas and match
SCALE-Sim, except the one case where SCALE-Sim itself crashes (see ``util_span``).

SRAM traffic: the stationary operand (spanning Sr x Sc) is read once; the operand spanning
Sr x T is streamed once per column fold, and the one spanning T x Sc once per row fold. Under
OS SCALE-Sim also adds R + C to the ofmap writes of every fold (it counts the shape of the
padded fold, not its elements): a quirk we reproduce.

Utilisation: SCALE-Sim averages per-fold mapping efficiency and compute utilisation over the
folds with Python's ``sum`` in fold order (column folds outer, row folds inner). A fold's value
is a ratio of integers; we compute all of them at once with numpy and sum them in the same
order with the same ``sum``, so the floats agree to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.conv_gemm import ceil_div
from sim.scalesim.config import ScaleSimConfig
from sim.scalesim.topology import Layer

__all__ = ["LayerReport", "simulate_layer", "simulate"]


@dataclass(frozen=True)
class LayerReport:
    """One layer's row of SCALE-Sim's COMPUTE_REPORT plus its SRAM access counts."""

    name: str
    m: int
    n: int
    k: int
    folds: int
    total_cycles: int
    stall_cycles: int
    overall_util: float
    mapping_efficiency: float
    compute_util: float
    sram_ifmap_reads: int
    sram_filter_reads: int
    sram_ofmap_writes: int

    def as_dict(self) -> dict:
        return {field: getattr(self, field) for field in self.__dataclass_fields__}



def _spatio_temporal(layer: Layer, dataflow: str) -> tuple[int, int, int]:
    """(Sr, Sc, T) of a layer under a dataflow."""
    m, n, k = layer.m, layer.n, layer.k
    return {"os": (m, n, k), "ws": (k, n, m), "is": (k, m, n)}[dataflow]


def _used(size: int, tile: int) -> list[int]:
    """Array lines used by each fold along one axis: full tiles, then the remainder."""
    folds = ceil_div(size, tile)
    return [tile] * (folds - 1) + [size - tile * (folds - 1)]


def _fold_mean(row_used: list[int], col_used: list[int], scale: int, divisor: int) -> float:
    """Mean over folds of rows_used * cols_used * scale / divisor, as SCALE-Sim computes it.

    Each term is int / int, correctly rounded as SCALE-Sim's float64 numpy division of exact
    values below 2**53 is; the sum runs over folds in SCALE-Sim's order (column folds outer),
    so it rounds the same way."""
    total = 0.0
    for col in col_used:
        for row in row_used:
            total += col * row * scale / divisor
    return total / (len(col_used) * len(row_used))


def simulate_layer(layer: Layer, config: ScaleSimConfig) -> LayerReport:
    """SCALE-Sim's numbers for one layer under ``config`` (CALC bandwidth: no stalls)."""
    rows, cols, df = config.rows, config.cols, config.dataflow
    sr, sc, t = _spatio_temporal(layer, df)
    row_used, col_used = _used(sr, rows), _used(sc, cols)
    row_folds, col_folds = len(row_used), len(col_used)
    folds = row_folds * col_folds
    skew = rows + cols - 2 if df == "os" else 2 * rows + cols - 2
    total_cycles = folds * (skew + t) - 1
    # The per-fold cycle count SCALE-Sim divides by in compute utilisation.
    util_cycles = rows + cols + t - 2 if df == "os" else 2 * rows + 2 * cols + t - 3
    macs = rows * cols
    # SCALE-Sim divides the work by the index of the last cycle, which is 0 when the whole layer
    # is one cycle (OS on a 1x1 array, M = N = K = 1); SCALE-Sim 3.0.0 then stops with a
    # ZeroDivisionError. We divide by the one cycle the layer takes instead: 100 %.
    util_span = max(total_cycles, 1)
    mapping = _fold_mean(row_used, col_used, 1, macs)
    compute = _fold_mean(row_used, col_used, t, macs * util_cycles)
    stationary, per_col_fold, per_row_fold = sr * sc, col_folds * sr * t, row_folds * t * sc
    ifmap, filt, ofmap = {
        "os": (per_col_fold, per_row_fold, stationary + folds * (rows + cols)),
        "ws": (per_col_fold, stationary, per_row_fold),
        "is": (stationary, per_col_fold, per_row_fold),
    }[df]
    return LayerReport(
        name=layer.name, m=layer.m, n=layer.n, k=layer.k, folds=folds,
        total_cycles=total_cycles, stall_cycles=0,
        overall_util=(layer.m * layer.n * layer.k * 100) / (util_span * macs),
        mapping_efficiency=mapping * 100, compute_util=compute * 100,
        sram_ifmap_reads=ifmap, sram_filter_reads=filt, sram_ofmap_writes=ofmap)


def simulate(layers, config: ScaleSimConfig, progress=None) -> list[LayerReport]:
    """Reports for all layers; ``progress(done, total)`` is called after each layer."""
    reports = []
    for index, layer in enumerate(layers):
        reports.append(simulate_layer(layer, config))
        if progress is not None:
            progress(index + 1, len(layers))
    return reports
