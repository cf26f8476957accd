"""Amaranth building blocks of generated designs (shared by every dataflow)."""
