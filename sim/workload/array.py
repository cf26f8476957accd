"""What one tile costs on the array: cycles and SRAM accesses, the SCALE-Sim way, vectorised.

A tile is a sub-GEMM (tm, tn, tk). The dataflow maps two of its dimensions to the R x C array
(Sr along rows, Sc along columns) and runs the third in time (T), as in
:mod:`sim.scalesim.compute`:

    OS: Sr = tm, Sc = tn, T = tk    WS: Sr = tk, Sc = tn, T = tm    IS: Sr = tk, Sc = tm, T = tn

A tile runs as ceil(Sr/R) * ceil(Sc/C) folds of R + C + T - 2 cycles (OS) or 2R + C + T - 2
cycles (WS, IS: the stationary operand is loaded first). Tiles run one after the other with the
array drained in between, so a layer cut into tiles pays the fill and drain once per fold of
every tile: splitting the temporal loop costs cycles, splitting a spatial one at multiples of the
array size does not.

SRAM demand per tile: the stationary operand (Sr x Sc) is read once, the one spanning Sr x T once
per column fold, the one spanning T x Sc once per row fold. The array writes each output once
per row fold under WS and IS (partial sums over the rows of K), once under OS. All functions take
numpy arrays (or ints) and work elementwise.
"""

from __future__ import annotations

from sim.conv_gemm import ceil_div

__all__ = ["spatio_temporal", "tile_cycles", "tile_sram"]



def spatio_temporal(dataflow: str, tm, tn, tk):
    """(Sr, Sc, T) of a tile."""
    return {"os": (tm, tn, tk), "ws": (tk, tn, tm), "is": (tk, tm, tn)}[dataflow]


def tile_cycles(dataflow: str, rows: int, cols: int, tm, tn, tk):
    sr, sc, t = spatio_temporal(dataflow, tm, tn, tk)
    skew = rows + cols - 2 if dataflow == "os" else 2 * rows + cols - 2
    return ceil_div(sr, rows) * ceil_div(sc, cols) * (skew + t)


def tile_sram(dataflow: str, rows: int, cols: int, tm, tn, tk) -> dict:
    """Element accesses of the array to the buffers for one tile: A and B reads, C writes."""
    sr, sc, t = spatio_temporal(dataflow, tm, tn, tk)
    row_folds, col_folds = ceil_div(sr, rows), ceil_div(sc, cols)
    stationary, per_col_fold, per_row_fold = sr * sc, col_folds * sr * t, row_folds * t * sc
    a, b, c = {
        "os": (per_col_fold, per_row_fold, stationary),
        "ws": (per_col_fold, stationary, per_row_fold),
        "is": (stationary, per_col_fold, per_row_fold),
    }[dataflow]
    return {"A": a, "B": b, "C": c}
