"""SCALE-Sim compatibility mode: SCALE-Sim's config and topology files in, its per-layer compute
numbers out (cycles, utilisation, SRAM accesses per operand), computed in closed form."""

from sim.conv_gemm import Layer
from sim.scalesim.compute import LayerReport, simulate, simulate_layer
from sim.scalesim.config import ScaleSimConfig, read_config
from sim.scalesim.topology import read_topology

__all__ = ["Layer", "LayerReport", "ScaleSimConfig", "read_config", "read_topology",
           "simulate", "simulate_layer"]
