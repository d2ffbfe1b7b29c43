"""Re-export of the error hierarchy (defined in :mod:`shailoo.domain.errors`)."""

from shailoo.domain.errors import InputError, LawError, LedgerError, NotFound, Refused, ShailooError

__all__ = ["InputError", "LawError", "LedgerError", "NotFound", "Refused", "ShailooError"]
