"""Protocol payloads decoded straight from the ledger's JSON into a typed struct.

A rebuild reads every protocol event of the ledger; decoding each payload into a plain dict
and later into a :class:`~shailoo.domain.model.Protocol` was most of its cost (bench/tally.py,
issue 4). :class:`ProtocolPayload` is what msgspec decodes a ``protocol.recorded`` /
``protocol.corrected`` payload into in one C-level step. It holds the same values the dict
would (fields the tally never reads, such as ``warnings``, are skipped), and it is turned into
a ``Protocol`` only when someone reads the station.

The decoder is strict: a payload whose numbers are not JSON integers, or that lacks a field,
is refused with ``None`` and the caller replays that event through the generic dict path, so
the values the tally ends with never depend on which path read the event.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from shailoo.domain.model import Protocol

#: :data:`shailoo.tally.counting.OFFICIAL` (counting imports this module, not the reverse)
_OFFICIAL = "official"


class ProtocolPayload(msgspec.Struct, gc=False):
    """The fields of a protocol event's payload that the tally reads.

    ``gc=False``: the struct holds only strings, integers and a str -> int dict, so it can
    never be part of a reference cycle, and 100,000 of them need not be tracked by the
    garbage collector.
    """

    station: str
    registered: int
    ballots_received: int
    ballots_issued: int
    ballots_cast: int
    invalid: int
    against_all: int
    votes: dict[str, int]
    source: str | None = None
    entered_by: Any = None
    reason: Any = None

    def to_protocol(self) -> Protocol:
        """The :class:`Protocol` this payload records (the same one the dict path builds)."""
        return Protocol(
            station=self.station,
            registered=self.registered,
            ballots_received=self.ballots_received,
            ballots_issued=self.ballots_issued,
            ballots_cast=self.ballots_cast,
            invalid=self.invalid,
            against_all=self.against_all,
            votes=dict(self.votes),
            source=self.source or _OFFICIAL,
            entered_by=self.entered_by,
            reason=self.reason,
        )


#: one station's protocol as the tally keeps it: built, as in the ledger, or as decoded here
Version = Protocol | Mapping[str, Any] | ProtocolPayload

_DECODE = msgspec.json.Decoder(ProtocolPayload).decode


def decode_protocol(payload: str | bytes) -> ProtocolPayload | None:
    """Decode a protocol payload, or ``None`` when it does not fit the strict struct.

    ``None`` covers payloads the generic path reads differently (a count written as ``10.0``
    or ``true``, a missing field, a station id that is not a string); the caller then decodes
    the event as a dict and applies it the ordinary way, errors included.
    """
    try:
        return _DECODE(payload)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
