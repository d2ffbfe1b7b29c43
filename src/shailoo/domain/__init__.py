"""Plain values of an election and the error hierarchy; imports nothing else of Shailoo."""

from shailoo.domain.errors import InputError, LawError, LedgerError, NotFound, Refused, ShailooError
from shailoo.domain.model import (
    SOURCES,
    Election,
    Party,
    Protocol,
    Station,
    VoteTotals,
    is_valid_source,
)

__all__ = [
    "SOURCES",
    "Election",
    "InputError",
    "LawError",
    "LedgerError",
    "NotFound",
    "Party",
    "Protocol",
    "Refused",
    "ShailooError",
    "Station",
    "VoteTotals",
    "is_valid_source",
]
