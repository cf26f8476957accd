"""``lego fuzz``: random valid specs, verified on Verilator, failures shrunk and kept."""
