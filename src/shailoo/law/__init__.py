"""Shailoo law layer (see docs/architecture.md)."""
