"""Protocol checks: pure control relations with stable codes (see docs/formats.md)."""

from shailoo.checks.protocol import CODES, ERROR, WARNING, Finding, check_protocol

__all__ = ["CODES", "ERROR", "WARNING", "Finding", "check_protocol"]
