"""Shailoo simulate layer (see docs/architecture.md)."""
