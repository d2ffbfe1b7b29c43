"""Shailoo observe layer (see docs/architecture.md)."""
