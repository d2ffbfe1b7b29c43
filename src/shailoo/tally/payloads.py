"""Protocol payloads decoded straight from the ledger's JSON into typed structs.

A rebuild reads every protocol event of the ledger; decoding each payload into a plain dict,
then a :class:`~shailoo.domain.model.Protocol`, then a row of the tally's matrix was most of
its cost (bench/tally.py, issue 4). Here msgspec decodes a ``protocol.recorded`` /
``protocol.corrected`` payload in one C-level step into a :class:`ProtocolPayload` whose
``votes`` is a struct with one integer field per party on this election's ballot, so the
rows of the matrix are read with C-level getters (no Python code per station). A ``Protocol``
is built only when someone reads the station.

The decoder is strict: a payload whose counts are not JSON integers, that lacks a field, or
whose votes name a party not on the ballot or leave one out, is refused. The caller then
replays that event through the generic dict path, so the values the tally ends with never
depend on which path read the event.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from operator import attrgetter
from typing import Any

import msgspec
from msgspec.structs import astuple

from shailoo.domain.model import Protocol

#: :data:`shailoo.tally.counting.OFFICIAL` (counting imports this module, not the reverse)
_OFFICIAL = "official"

#: the count lines of a payload, in the order of a tally row (and of the protocol form)
HEAD_FIELDS = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)

#: a payload's count lines as a tuple in :data:`HEAD_FIELDS` order (one C-level call)
read_head = attrgetter(*HEAD_FIELDS)


class BallotVotes(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    """Votes per party; each election's subclass has one field per party, in id order.

    ``forbid_unknown_fields``: a vote for a party not on the ballot makes the payload take
    the generic path, which keeps that party in the protocol as recorded.
    """

    def as_dict(self) -> dict[str, int]:
        """The votes as the ledger's ``votes`` object (party id -> votes, ids sorted)."""
        return dict(zip(self.__struct_encode_fields__, astuple(self), strict=True))


class ProtocolPayload(msgspec.Struct, kw_only=True, gc=False):
    """The fields of a protocol event's payload that the tally reads.

    ``gc=False``: a payload holds only strings, integers and a struct of integers, so it can
    never be part of a reference cycle, and 100,000 of them need not be tracked by the
    garbage collector. Fields the tally never reads (``warnings``) are skipped. The fields are
    in the order of the ledger's canonical JSON (sorted keys), which msgspec matches fastest
    (``kw_only`` lets the optional ones sit among the others); read them by name.
    """

    against_all: int
    ballots_cast: int
    ballots_issued: int
    ballots_received: int
    entered_by: Any = None
    invalid: int
    reason: Any = None
    registered: int
    source: str | None = None
    station: str
    votes: BallotVotes

    def to_protocol(self) -> Protocol:
        """The :class:`Protocol` this payload records (the one the dict path builds)."""
        return Protocol(
            station=self.station,
            registered=self.registered,
            ballots_received=self.ballots_received,
            ballots_issued=self.ballots_issued,
            ballots_cast=self.ballots_cast,
            invalid=self.invalid,
            against_all=self.against_all,
            votes=self.votes.as_dict(),
            source=self.source or _OFFICIAL,
            entered_by=self.entered_by,
            reason=self.reason,
        )


#: one station's protocol as the tally keeps it: built, as in the ledger, or as decoded here
Version = Protocol | Mapping[str, Any] | ProtocolPayload


@lru_cache(maxsize=32)
def _payload_type(parties: tuple[str, ...]) -> type[ProtocolPayload]:
    # Field names are positional (p0, p1, ...) renamed to the party ids, which need not be
    # Python identifiers ("ata-meken"). Sorted like the canonical JSON the ledger stores, so
    # as_dict() gives the votes in the order the dict path reads them.
    fields = [f"p{i}" for i in range(len(parties))]
    votes = msgspec.defstruct(
        "BallotVotes",
        [(f, int) for f in fields],
        bases=(BallotVotes,),
        rename=dict(zip(fields, parties, strict=True)),
        forbid_unknown_fields=True,
        gc=False,
    )
    payload = msgspec.defstruct(
        "ProtocolPayload", [("votes", votes)], bases=(ProtocolPayload,), kw_only=True, gc=False
    )
    assert issubclass(payload, ProtocolPayload)  # defstruct is typed as returning Struct
    return payload


def ballot_order(party_ids: tuple[str, ...]) -> tuple[str, ...]:
    """The order of the vote fields of :func:`protocol_decoder`'s structs (sorted ids)."""
    return tuple(sorted(set(party_ids)))


def payload_decoder(party_ids: tuple[str, ...]) -> Callable[[str | bytes], ProtocolPayload]:
    """msgspec's decoder of protocol payloads for a ballot of these parties.

    It raises ``msgspec.ValidationError`` / ``msgspec.DecodeError`` (:data:`REFUSED`) for a
    payload that does not fit the strict struct (a count written as ``10.0`` or ``true``, a
    missing field or party, a party not on the ballot, a station id that is not a string);
    a rebuild maps it over a page of payloads and catches that itself.
    """
    decode: Callable[[str | bytes], ProtocolPayload] = msgspec.json.Decoder(
        _payload_type(ballot_order(party_ids))
    ).decode
    return decode


#: what :func:`payload_decoder`'s decoder raises for a payload it refuses
REFUSED = (msgspec.ValidationError, msgspec.DecodeError)


def protocol_decoder(party_ids: tuple[str, ...]) -> Callable[[str | bytes], ProtocolPayload | None]:
    """:func:`payload_decoder`, returning ``None`` for a payload the strict struct refuses.

    The caller then decodes the event as a dict and applies it the ordinary way, errors
    included.
    """
    decode = payload_decoder(party_ids)

    def decode_protocol(payload: str | bytes) -> ProtocolPayload | None:
        try:
            return decode(payload)
        except REFUSED:
            return None

    return decode_protocol
