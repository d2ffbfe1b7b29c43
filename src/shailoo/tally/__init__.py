"""Shailoo tally layer (see docs/architecture.md)."""
