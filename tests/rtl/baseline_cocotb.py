"""cocotb coroutines for the hand-written baselines in benchmarks/baselines/ (driven by
tests/rtl/test_baselines.py, which picks the coroutines of the design it built).

Inputs are driven and outputs sampled at falling edges, so every value is stable. numpy is the
oracle for values; the cycle counts checked are the ones the designs' headers document.
"""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, FallingEdge

IN_W, ACC_W = 8, 32
LOW, HIGH = -(1 << (IN_W - 1)), (1 << (IN_W - 1)) - 1
K_BARE = 16          # the bare array computes (ROWS x K_BARE) x (K_BARE x COLS)
M = N = K = 16       # the BRAM design's GEMM (its parameter defaults)
TENSOR_A, TENSOR_B, TENSOR_C = 0, 1, 2
HOST_READ_LATENCY = 3
HANG_LIMIT = 10_000


def pack(values) -> int:
    """Lane l of a flat bus holds values[l] as IN_W-bit two's complement."""
    word = 0
    for lane, v in enumerate(values):
        word |= (int(v) & ((1 << IN_W) - 1)) << (lane * IN_W)
    return word


def golden(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """int8 x int8 products summed in int32, wrapping like the hardware."""
    return (a.astype(np.int64) @ b.astype(np.int64)).astype(np.int32)


def operand_cases(rng: np.random.Generator, rows: int, depth: int, cols: int):
    """(name, A, B): random, the extremes (-128 * -128 on every step, the largest sum), mixed
    extremes with both signs, and sparse small values."""
    shape_a, shape_b = (rows, depth), (depth, cols)
    yield "random", rng.integers(LOW, HIGH + 1, shape_a), rng.integers(LOW, HIGH + 1, shape_b)
    yield "min_times_min", np.full(shape_a, LOW), np.full(shape_b, LOW)
    extremes = np.array([LOW, HIGH, -1, 0, 1])
    yield "mixed_extremes", rng.choice(extremes, shape_a), rng.choice(extremes, shape_b)
    yield "sparse", rng.integers(-2, 3, shape_a) * (rng.random(shape_a) < 0.3), \
        rng.integers(-2, 3, shape_b)


async def reset(dut) -> None:
    cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
    dut.rst.value = 1
    await ClockCycles(dut.clk, 2)
    await FallingEdge(dut.clk)
    dut.rst.value = 0


# ------------------------------------------------------------------------------- bare array

class BareArray:
    def __init__(self, dut, rng: np.random.Generator):
        self.dut, self.rng = dut, rng
        self.rows = len(dut.a_in) // IN_W
        self.cols = len(dut.b_in) // IN_W

    def _junk(self, lanes: int) -> int:
        return pack(self.rng.integers(LOW, HIGH + 1, lanes))

    async def run(self, steps: list[str], a: np.ndarray, b: np.ndarray) -> None:
        """Present ``steps`` ('clear', 'mac' or 'idle'), the n-th 'mac' carrying k = n, with A and
        B skewed (row r / column c delayed r / c cycles); lanes not carrying a step's operand
        get random junk, which the array must ignore. Then idle until every PE has finished."""
        dut = self.dut
        ks, k = [], 0
        for step in steps:
            ks.append(k if step == "mac" else None)
            k += step == "mac"
        for t in range(len(steps) + self.rows + self.cols):
            step = steps[t] if t < len(steps) else "idle"
            dut.in_valid.value = int(step == "mac")
            dut.in_clear.value = int(step == "clear")
            a_lanes = [a[r, ks[t - r]] if 0 <= t - r < len(steps) and ks[t - r] is not None
                       else self.rng.integers(LOW, HIGH + 1) for r in range(self.rows)]
            b_lanes = [b[ks[t - c], c] if 0 <= t - c < len(steps) and ks[t - c] is not None
                       else self.rng.integers(LOW, HIGH + 1) for c in range(self.cols)]
            dut.a_in.value = pack(a_lanes)
            dut.b_in.value = pack(b_lanes)
            await FallingEdge(dut.clk)
        dut.in_valid.value = 0
        dut.in_clear.value = 0

    async def read_all(self) -> np.ndarray:
        """Every accumulator through the read port, one address per cycle (latency one edge)."""
        dut = self.dut
        addresses = [(r, c) for r in range(self.rows) for c in range(self.cols)]
        out = np.zeros((self.rows, self.cols), dtype=np.int64)
        for row, col in addresses:
            dut.rd_row.value, dut.rd_col.value = row, col
            dut.a_in.value = self._junk(self.rows)
            dut.b_in.value = self._junk(self.cols)
            await FallingEdge(dut.clk)
            out[row, col] = dut.rd_data.value.to_signed()
        return out


@cocotb.test()
async def bare_products_match_numpy(dut):
    """Each case: one clear step then K_BARE multiply-accumulate steps back to back."""
    await reset(dut)
    array = BareArray(dut, np.random.default_rng(16))
    for name, a, b in operand_cases(array.rng, array.rows, K_BARE, array.cols):
        await array.run(["clear"] + ["mac"] * K_BARE, a, b)
        got = await array.read_all()
        assert np.array_equal(got, golden(a, b)), f"{name}: array differs from numpy"


@cocotb.test()
async def bare_holds_between_bursts_and_restarts_without_gaps(dut):
    """Idle steps (junk operands) in the middle of a product leave the sums alone; a clear step
    straight after the last step of one product starts the next; reading twice gives the same."""
    await reset(dut)
    array = BareArray(dut, np.random.default_rng(17))
    rng = array.rng
    half = K_BARE // 2
    shape_a, shape_b = (array.rows, K_BARE), (K_BARE, array.cols)
    a1, b1 = rng.integers(LOW, HIGH + 1, shape_a), rng.integers(LOW, HIGH + 1, shape_b)
    a2, b2 = rng.integers(LOW, HIGH + 1, shape_a), rng.integers(LOW, HIGH + 1, shape_b)
    steps = ["clear"] + ["mac"] * half + ["idle"] * 5 + ["mac"] * (K_BARE - half)
    await array.run(steps, a1, b1)
    assert np.array_equal(await array.read_all(), golden(a1, b1)), "burst with a gap"
    # two products back to back: only the second survives, proving the clear reset every PE
    a12 = np.concatenate([a1, a2], axis=1)
    b12 = np.concatenate([b1, b2], axis=0)
    await array.run(["clear"] + ["mac"] * K_BARE + ["clear"] + ["mac"] * K_BARE, a12, b12)
    first = await array.read_all()
    assert np.array_equal(first, golden(a2, b2)), "second of two back-to-back products"
    for _ in range(7):
        await FallingEdge(dut.clk)
    assert np.array_equal(await array.read_all(), first), "sums changed while idle"


# ----------------------------------------------------------------------- array with memories

class BramDesign:
    def __init__(self, dut):
        self.dut = dut
        self.rows = 1 << (len(dut.host_bank))  # ROWS == COLS for the tested build
        self.cols = self.rows

    def idle_host(self) -> None:
        self.dut.host_we.value = 0
        self.dut.start.value = 0

    async def write(self, tensor: int, matrix: np.ndarray) -> None:
        """Every element of A (tensor 0) or B (tensor 1) at its documented bank and address."""
        dut = self.dut
        for (x, y), v in np.ndenumerate(matrix):
            if tensor == TENSOR_A:   # A[i, k]: bank i % ROWS, address (i / ROWS) * K + k
                bank, addr = x % self.rows, (x // self.rows) * K + y
            else:                    # B[k, j]: bank j % COLS, address (j / COLS) * K + k
                bank, addr = y % self.cols, (y // self.cols) * K + x
            dut.host_tensor.value, dut.host_bank.value, dut.host_addr.value = tensor, bank, addr
            dut.host_wdata.value = int(v) & ((1 << IN_W) - 1)
            dut.host_we.value = 1
            await FallingEdge(dut.clk)
        dut.host_we.value = 0

    async def read(self, requests: list[tuple[int, int, int]]) -> list[int]:
        """(tensor, bank, address) one per cycle; word n arrives HOST_READ_LATENCY edges later."""
        dut = self.dut
        words = []
        for n in range(len(requests) + HOST_READ_LATENCY):
            if n < len(requests):
                dut.host_tensor.value, dut.host_bank.value, dut.host_addr.value = requests[n]
            await FallingEdge(dut.clk)
            if n + 1 >= HOST_READ_LATENCY and len(words) < len(requests):
                words.append(dut.host_rdata.value.to_unsigned())
        return words

    def c_request(self, i: int, j: int) -> tuple[int, int, int]:
        # C[i, j]: bank j % COLS, address (j / COLS) * M + i
        return TENSOR_C, j % self.cols, (j // self.cols) * M + i

    async def run(self, junk_writes: bool) -> int:
        """Pulse start, wait for done; returns the edges from the one sampling start to the one
        raising done, both counted. With ``junk_writes`` the host writes A while busy, which the
        design must ignore."""
        dut = self.dut
        dut.start.value = 1
        await FallingEdge(dut.clk)
        dut.start.value = 0
        edges = 1
        while not dut.done.value:
            assert dut.busy.value, f"busy low before done, {edges} edges after start"
            dut.host_we.value = int(junk_writes)
            dut.host_tensor.value, dut.host_bank.value, dut.host_addr.value = TENSOR_A, 0, 0
            dut.host_wdata.value = 0x5A
            await FallingEdge(dut.clk)
            edges += 1
            assert edges < HANG_LIMIT, "done never came"
        dut.host_we.value = 0
        assert not dut.busy.value, "busy still high with done"
        return edges


@cocotb.test()
async def bram_gemms_match_numpy_through_the_host_port(dut):
    """Several 16x16x16 GEMMs in a row: load A and B, start, read C (the last-written word
    first, in the first cycle of done), compare with numpy; read A and B back once."""
    await reset(dut)
    design = BramDesign(dut)
    design.idle_host()
    rng = np.random.default_rng(2025)
    tiles = (M // design.rows) * (N // design.cols)
    expected_edges = 1 + tiles * (K + 1) + design.rows + design.cols
    for n, (name, a, b) in enumerate(operand_cases(rng, M, K, N)):
        await design.write(TENSOR_A, a)
        await design.write(TENSOR_B, b)
        edges = await design.run(junk_writes=n % 2 == 1)
        assert edges == expected_edges, f"{name}: start to done took {edges}, not {expected_edges}"
        want = golden(a, b)
        cells = [(M - 1, N - 1)] + [(i, j) for i in range(M) for j in range(N)]
        words = await design.read([design.c_request(i, j) for i, j in cells])
        got = np.zeros((M, N), dtype=np.int64)
        for (i, j), w in zip(cells, words, strict=True):
            got[i, j] = w - (1 << ACC_W) if w >> (ACC_W - 1) else w
        assert words[0] == int(want[M - 1, N - 1]) & 0xFFFFFFFF, f"{name}: last C word stale"
        assert np.array_equal(got, want), f"{name}: C differs from numpy"
        if n == 0:
            back = await design.read(
                [(TENSOR_A, i % design.rows, (i // design.rows) * K + k) for i in range(M)
                 for k in range(K)] +
                [(TENSOR_B, j % design.cols, (j // design.cols) * K + k) for k in range(K)
                 for j in range(N)])
            assert back == [int(v) & 0xFF for v in a.ravel()] + [int(v) & 0xFF for v in b.ravel()]


# ------------------------------------------------------------ fused OS + WS array with memories

OS, WS = 0, 1


def as_int32(words: list[int]) -> np.ndarray:
    """host_rdata words (unsigned) as the signed C values they hold."""
    return np.array([w - (1 << ACC_W) if w >> (ACC_W - 1) else w for w in words], dtype=np.int64)


class FusedDesign(BramDesign):
    """os_ws_array_8x8_bram: the BRAM design's host port plus ``dataflow``; A's layout follows
    the dataflow of the next run."""

    def cycles(self, flow: int) -> int:
        """Start to done, from the design's schedule (its header)."""
        rows, cols = self.rows, self.cols
        if flow == OS:   # per tile a clear step and K steps, a final clear, the diagonal
            return 1 + (M // rows) * (N // cols) * (K + 1) + rows + cols
        # per weight tile ROWS preload steps, the last also the first of M compute steps
        return 1 + (K // rows) * (N // cols) * (rows - 1 + M) + rows + cols

    def a_place(self, flow: int, i: int, k: int) -> tuple[int, int]:
        if flow == OS:   # bank i % ROWS, address (i / ROWS) * K + k
            return i % self.rows, (i // self.rows) * K + k
        return k % self.rows, (k // self.rows) * M + i   # WS: bank k % ROWS, (k / ROWS) * M + i

    async def write_a(self, flow: int, a: np.ndarray) -> None:
        dut = self.dut
        for (i, k), v in np.ndenumerate(a):
            bank, addr = self.a_place(flow, i, k)
            dut.host_tensor.value, dut.host_bank.value, dut.host_addr.value = TENSOR_A, bank, addr
            dut.host_wdata.value = int(v) & ((1 << IN_W) - 1)
            dut.host_we.value = 1
            await FallingEdge(dut.clk)
        dut.host_we.value = 0

    async def gemm(self, label: str, flow: int, a: np.ndarray, b: np.ndarray,
                   junk_writes: bool) -> None:
        """Load A (in ``flow``'s layout) and B, run, check the cycles and every C word against
        numpy (the last-written word first, in the first cycle of done)."""
        name = f"{label} in {'OS' if flow == OS else 'WS'}"
        await self.write_a(flow, a)
        await self.write(TENSOR_B, b)
        self.dut.dataflow.value = flow
        edges = await self.run(junk_writes)
        self.dut.dataflow.value = 1 - flow   # sampled with start only
        assert edges == self.cycles(flow), f"{name}: start to done {edges}, not {self.cycles(flow)}"
        want = golden(a, b)
        cells = [(M - 1, N - 1)] + [(i, j) for i in range(M) for j in range(N)]
        words = await self.read([self.c_request(i, j) for i, j in cells])
        got = as_int32(words[1:]).reshape(M, N)
        assert words[0] == int(want[M - 1, N - 1]) & 0xFFFFFFFF, f"{name}: last C word stale"
        assert np.array_equal(got, want), f"{name}: C differs from numpy\n{got - want}"


async def runs_back_to_back(design: FusedDesign, rng: np.random.Generator) -> None:
    """Each start in the first cycle of the previous run's done, switching dataflows. With M ==
    K and A symmetric, A's OS and WS layouts hold the same words, so one load serves every run;
    each run must leave C = A * B (a WS run that added the stored words would not)."""
    assert M == K
    upper = np.triu(rng.integers(LOW, HIGH + 1, (M, K)))
    a = upper + np.triu(upper, 1).T
    b = rng.integers(LOW, HIGH + 1, (K, N))
    await design.write_a(OS, a)
    await design.write(TENSOR_B, b)
    for flow in (OS, WS, OS, WS, WS, OS, WS):
        design.dut.dataflow.value = flow
        edges = await design.run(junk_writes=False)
        want = design.cycles(flow)
        assert edges == want, f"back to back: start to done {edges}, not {want}"
    words = await design.read([design.c_request(i, j) for i in range(M) for j in range(N)])
    got = as_int32(words).reshape(M, N)
    assert np.array_equal(got, golden(a, b)), "back to back: C differs from numpy"


@cocotb.test()
async def fused_gemms_match_numpy_in_both_dataflows(dut):
    """16x16x16 GEMMs back to back, the dataflows alternating (OS, WS, WS, OS, ...), so that a
    WS run starts with C holding the previous run's results; random operands, the extremes
    (-128 everywhere), mixed extremes and sparse ones in both dataflows; host writes while busy
    ignored; runs started back to back; A (in both layouts) and B read back through the host
    port."""
    await reset(dut)
    design = FusedDesign(dut)
    design.idle_host()
    dut.dataflow.value = 0
    rng = np.random.default_rng(2026)
    randoms = [(rng.integers(LOW, HIGH + 1, (M, K)), rng.integers(LOW, HIGH + 1, (K, N)))
               for _ in range(4)]
    runs = [(f"random {n}", flow, a, b)
            for n, (flow, (a, b)) in enumerate(zip([OS, WS, WS, OS], randoms, strict=True))]
    for name, a, b in list(operand_cases(rng, M, K, N))[1:]:   # min_times_min, mixed, sparse
        runs += [(name, WS, a, b), (name, OS, a, b)]
    runs.append(("min_times_max", WS, np.full((M, K), LOW), np.full((K, N), HIGH)))
    for n, (name, flow, a, b) in enumerate(runs):
        await design.gemm(name, flow, a, b, junk_writes=n % 3 == 2)
    await runs_back_to_back(design, rng)
    for flow in (OS, WS):
        a, b = randoms[0]
        await design.write_a(flow, a)
        await design.write(TENSOR_B, b)
        back = await design.read(
            [(TENSOR_A, *design.a_place(flow, i, k)) for i in range(M) for k in range(K)] +
            [(TENSOR_B, j % design.cols, (j // design.cols) * K + k) for k in range(K)
             for j in range(N)])
        assert back == [int(v) & 0xFF for v in a.ravel()] + [int(v) & 0xFF for v in b.ravel()]
