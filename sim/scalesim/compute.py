"""SCALE-Sim's compute model in closed form: cycles, utilisation and SRAM traffic per layer.

A layer is a GEMM (M output pixels, N filters, K = Fh*Fw*C) run on the R x C array as
:mod:`sim.scalesim.mapping` describes: folds of T cycles plus the fill and drain skew, and the
array's demand on the buffers per operand. SCALE-Sim builds a demand matrix with one row per
cycle; with CALC bandwidth nothing stalls, and the reported cycle count is the index of the last
row: total - 1. Degenerate shapes (1x1, 1xN, Nx1 arrays; M, N or K of 1) follow the same
formulas and match SCALE-Sim, except the one case where SCALE-Sim itself crashes (see
``util_span``). Under OS SCALE-Sim also adds R + C to the ofmap writes of every fold (it counts
the shape of the padded fold, not its elements): a quirk we reproduce.

Utilisation: SCALE-Sim averages per-fold mapping efficiency and compute utilisation over the
folds with Python's ``sum`` in fold order (column folds outer, row folds inner). A fold's value
is a ratio of integers; we compute each as int / int and sum them in the same order, so the
floats agree to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.conv_gemm import Layer
from sim.scalesim.config import ScaleSimConfig
from sim.scalesim.mapping import cycles, demand, folds, spatio_temporal

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


def _used(size: int, tile: int, count: int) -> list[int]:
    """Array lines used by each of ``count`` folds along one axis: full tiles, then the
    remainder."""
    return [tile] * (count - 1) + [size - tile * (count - 1)]


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
    gemm = (layer.m, layer.n, layer.k)
    sr, sc, t = spatio_temporal(df, *gemm)
    row_folds, col_folds = folds(df, rows, cols, *gemm)
    row_used, col_used = _used(sr, rows, row_folds), _used(sc, cols, col_folds)
    total_cycles = cycles(df, rows, cols, *gemm) - 1
    # The per-fold cycle count SCALE-Sim divides by in compute utilisation.
    util_cycles = rows + cols + t - 2 if df == "os" else 2 * rows + 2 * cols + t - 3
    macs = rows * cols
    # SCALE-Sim divides the work by the index of the last cycle, which is 0 when the whole layer
    # is one cycle (OS on a 1x1 array, M = N = K = 1); SCALE-Sim 3.0.0 then stops with a
    # ZeroDivisionError. We divide by the one cycle the layer takes instead: 100 %.
    util_span = max(total_cycles, 1)
    mapping = _fold_mean(row_used, col_used, 1, macs)
    compute = _fold_mean(row_used, col_used, t, macs * util_cycles)
    ifmap, filt, ofmap = demand(df, rows, cols, *gemm)
    if df == "os":
        ofmap += row_folds * col_folds * (rows + cols)
    return LayerReport(
        name=layer.name, m=layer.m, n=layer.n, k=layer.k, folds=row_folds * col_folds,
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
