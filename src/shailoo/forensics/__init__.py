"""Shailoo forensics layer (see docs/architecture.md)."""
