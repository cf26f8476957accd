"""A GEMM on an R x C systolic array under each dataflow: SCALE-Sim's model, in one place.

Read by the SCALE-Sim compatible mode (:mod:`sim.scalesim.compute`, one GEMM per layer) and by
the workload mode (:mod:`sim.workload`, one GEMM per tile). A dataflow maps two of the GEMM's
dimensions to space, Sr along the array's rows and Sc along its columns, and runs the third in
time (T):

    OS: Sr = M, Sc = N, T = K      WS: Sr = K, Sc = N, T = M      IS: Sr = K, Sc = M, T = N

The work is cut into ceil(Sr/R) row folds times ceil(Sc/C) column folds, run one after the
other. A fold streams for T cycles plus the array's fill and drain skew: R + C - 2 under OS,
2R + C - 2 under WS and IS (the stationary operand is loaded first).

Array demand on the buffers: the stationary operand (spanning Sr x Sc) is read once, the operand
spanning Sr x T once per column fold, the one spanning T x Sc once per row fold. The output is
the stationary operand under OS (written once); under WS and IS it is written once per row fold
(partial sums over the row folds of K).

The sizes may be ints or numpy integer arrays broadcast together: the functions use operators
only, so the SCALE-Sim mode runs without numpy and the workload mode evaluates many tilings at
once.
"""

from __future__ import annotations

from sim.conv_gemm import ceil_div

__all__ = ["DATAFLOWS", "cycles", "demand", "folds", "skew", "spatio_temporal"]

DATAFLOWS = ("os", "ws", "is")


def spatio_temporal(dataflow: str, m, n, k):
    """(Sr, Sc, T) of a GEMM (m, n, k)."""
    return {"os": (m, n, k), "ws": (k, n, m), "is": (k, m, n)}[dataflow]


def folds(dataflow: str, rows: int, cols: int, m, n, k):
    """(row folds, column folds)."""
    sr, sc, _ = spatio_temporal(dataflow, m, n, k)
    return ceil_div(sr, rows), ceil_div(sc, cols)


def skew(dataflow: str, rows: int, cols: int) -> int:
    """Cycles a fold takes beyond its T streaming cycles."""
    return rows + cols - 2 if dataflow == "os" else 2 * rows + cols - 2


def cycles(dataflow: str, rows: int, cols: int, m, n, k):
    """Cycles of the whole GEMM: every fold, each with its fill and drain."""
    row_folds, col_folds = folds(dataflow, rows, cols, m, n, k)
    _, _, t = spatio_temporal(dataflow, m, n, k)
    return row_folds * col_folds * (skew(dataflow, rows, cols) + t)


def demand(dataflow: str, rows: int, cols: int, m, n, k):
    """Element accesses of the array to its buffers: (A reads, B reads, C writes), where A is
    the M x K input, B the K x N filters and C the M x N output."""
    sr, sc, t = spatio_temporal(dataflow, m, n, k)
    row_folds, col_folds = folds(dataflow, rows, cols, m, n, k)
    stationary, per_col_fold, per_row_fold = sr * sc, col_folds * sr * t, row_folds * t * sc
    return {
        "os": (per_col_fold, per_row_fold, stationary),
        "ws": (per_col_fold, stationary, per_row_fold),
        "is": (stationary, per_col_fold, per_row_fold),
    }[dataflow]
