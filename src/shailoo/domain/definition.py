"""Reading an ``election.defined`` payload straight from its JSON text, fast.

A national election defines 100,000 stations or more in its first ledger event, and every
import and every tally rebuild starts by reading it. Decoding that text into generic dicts and
lists (``json.loads``) and then converting each station costs about 0.3 s per 100,000 stations;
msgspec decoding into typed structs costs about a third of that. The typed decode only accepts
the shapes :meth:`Election.to_payload` writes (strings, integers); any other payload (an older
or hand-made one) falls back to ``json.loads`` and :meth:`Election.from_payload`, so what comes
out never depends on which path was taken.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

import msgspec

from shailoo.domain.model import Election, Party, Station


class _Party(msgspec.Struct):
    id: str
    name: str


class _Definition(msgspec.Struct):
    election_id: str
    name: str
    law: str
    parties: list[_Party]
    stations: list[Station]
    law_name: str = ""
    date: str | None = None
    double_entry: bool = False
    replaces: dict[str, Any] | None = None


# What an import reads first: each station's registered voters only. The other fields are
# skipped by the decoder, not built (a station's units are read again, only by a file that
# names units). gc=False: these values hold only strings and integers, so the cycle collector
# need not track 100,000 of them while they live.
class _StationCounts(msgspec.Struct, gc=False):
    station: str
    registered: int


class _Outline(msgspec.Struct, gc=False):
    election_id: str
    parties: list[_Party]
    stations: list[_StationCounts]


class _StationUnits(msgspec.Struct, gc=False):
    station: str
    region: str
    district: str


class _Units(msgspec.Struct, gc=False):
    stations: list[_StationUnits]


_definition = msgspec.json.Decoder(_Definition)
_outline = msgspec.json.Decoder(_Outline)
_units = msgspec.json.Decoder(_Units)
_REFUSED = (msgspec.ValidationError, msgspec.DecodeError)


def election_from_json(text: str | bytes) -> Election:
    """The :class:`Election` of an ``election.defined`` payload given as JSON text.

    Equal to ``Election.from_payload(json.loads(text))`` for every payload (a test checks it).
    """
    try:
        d = _definition.decode(text)
    except _REFUSED:
        return Election.from_payload(json.loads(text))
    return Election(
        id=d.election_id,
        name=d.name,
        law=d.law,
        law_name=d.law_name,
        parties=tuple(Party(p.id, p.name) for p in d.parties),
        stations=tuple(d.stations),
        date=d.date,
        double_entry=d.double_entry,
        replaces=d.replaces,
    )


#: station id -> (region, district)
Units = dict[str, tuple[str, str]]

#: what an import needs of an election: ``(election id, party ids in ballot order, station id
#: -> registered voters, a function that returns each station's units)``. The units are read
#: only when asked for: most files do not name them, and reading them costs as much again.
Outline = tuple[str, tuple[str, ...], dict[str, int], Callable[[], Units]]


def outline_from_json(text: str | bytes) -> Outline:
    """The parts of an ``election.defined`` payload that an import needs, from its JSON text:
    the election id, the party ids in ballot order, each station's registered voters, and a
    function that reads each station's units from ``text`` when called (no :class:`Station`
    values are built)."""
    try:
        o = _outline.decode(text)
    except _REFUSED:
        return outline_from_payload(json.loads(text))
    return (
        o.election_id,
        tuple(p.id for p in o.parties),
        {s.station: s.registered for s in o.stations},
        partial(units_from_json, text),
    )


def units_from_json(text: str | bytes) -> Units:
    """Station id -> (region, district) of an ``election.defined`` payload's JSON text."""
    try:
        u = _units.decode(text)
    except _REFUSED:
        return _units_of(json.loads(text))
    return {s.station: (s.region, s.district) for s in u.stations}


def outline_from_payload(payload: Mapping[str, Any]) -> Outline:
    """:func:`outline_from_json` of a payload already decoded."""
    return (
        str(payload["election_id"]),
        tuple(str(p["id"]) for p in payload["parties"]),
        {str(s["station"]): int(s["registered"]) for s in payload["stations"]},
        partial(_units_of, payload),
    )


def _units_of(payload: Mapping[str, Any]) -> Units:
    """:func:`units_from_json` of a payload already decoded."""
    return {str(s["station"]): (str(s["region"]), str(s["district"])) for s in payload["stations"]}
