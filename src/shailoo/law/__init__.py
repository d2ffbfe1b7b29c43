"""The electoral-law engine: votes to seats, exactly as a law file says.

Exact arithmetic only (integers and :class:`fractions.Fraction`); ties are explicit values broken
only by the law's declared rule. See docs/law-files.md for the law file format.

>>> from shailoo.law import load_law, allocate
>>> from shailoo.domain.model import VoteTotals
>>> law = load_law("kg-2020")
"""

from shailoo.domain.errors import LawError
from shailoo.law.engine import Allocation, allocate
from shailoo.law.lawfile import METHODS, Law, load_law, parse_law, preset_names
from shailoo.law.report import format_allocation
from shailoo.law.ties import Tie

__all__ = [
    "METHODS",
    "Allocation",
    "Law",
    "LawError",
    "Tie",
    "allocate",
    "format_allocation",
    "load_law",
    "parse_law",
    "preset_names",
]
