"""Workloads larger than the array and its buffers: a GEMM or conv layer tiled over its loops,
with on-chip buffer capacities, DRAM bandwidth, double buffering, stall accounting, DRAM and
SRAM traffic per tensor and energy from a per-access table. Closed form per layer."""

from sim.workload.arch import Accelerator
from sim.workload.energy import load_table
from sim.workload.layer import Layer, conv, gemm, parse_layer
from sim.workload.simulate import LayerResult, simulate, simulate_layer
from sim.workload.tiling import Tiling, choose_tiling

__all__ = ["Accelerator", "Layer", "LayerResult", "Tiling", "choose_tiling", "conv",
           "gemm", "load_table", "parse_layer", "simulate", "simulate_layer"]
