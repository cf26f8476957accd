"""Cycle-level models of generated designs; each agrees exactly with its RTL's cycle count."""
