"""Projections of the ledger: results per station and unit, exclusions, margin.

>>> from shailoo.tally import Tally, UnitResult
>>> t = Tally.rebuild(election, store.events(election.id))   # doctest: +SKIP
>>> t.unit("nation").turnout                                   # doctest: +SKIP

The rule deciding which of a station's protocols counts (double data entry, reconciliation)
lives in :mod:`shailoo.tally.counting`.
"""

from shailoo.tally.counting import accepted_protocol, entries_agree
from shailoo.tally.projection import Tally
from shailoo.tally.units import Decision, StationStatus, UnitResult

__all__ = [
    "Decision",
    "StationStatus",
    "Tally",
    "UnitResult",
    "accepted_protocol",
    "entries_agree",
]
