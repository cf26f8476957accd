"""A generated design on a real network: a spec used as a template whose loop bounds each layer
replaces, tiled to the design's memories and timed from the lowered tile designs
(``lego sim design SPEC --layer/--layers``)."""

from sim.spec_layers.layer_run import LayerRun, TensorTraffic
from sim.spec_layers.network import (
                                     OBJECTIVES,
                                     UNBOUNDED,
                                     LayerResult,
                                     NetworkResult,
                                     simulate_network,
)
from sim.spec_layers.template import Template, analyse
from sim.spec_layers.tile_cycles import TileTimer

__all__ = ["LayerResult", "LayerRun", "NetworkResult", "OBJECTIVES", "TensorTraffic",
           "Template", "TileTimer", "UNBOUNDED", "analyse", "simulate_network"]
