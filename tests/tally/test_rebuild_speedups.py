"""The C loops of a tally rebuild (``int_rows``, ``canonical_counts``) give what their Python
twins give: the same integers for any payloads, a page they cannot read declined whole, and the
rebuilt tally the same with the C module and without (and for a party id msgspec refuses)."""

from __future__ import annotations

import json
from operator import attrgetter
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import astuple

from shailoo import speedups
from shailoo.domain.model import Election
from shailoo.intake.protocols import protocol_payload
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.tally.payloads import HEAD_FIELDS, payload_decoder, read_head
from shailoo.tally.projection import Tally

NATIVE = speedups.native
VOTES = attrgetter("votes")
COUNT = st.integers(0, 2**62)


@settings(max_examples=200, deadline=None)
@given(
    parties=st.lists(
        st.sampled_from(["a", "b", "c", "z%", "é"]), min_size=1, max_size=5, unique=True
    ),
    data=st.data(),
)
def test_int_rows_equals_fromiter(parties: list[str], data: st.DataObject) -> None:
    assert NATIVE is not None
    decode = payload_decoder(tuple(parties))
    m = data.draw(st.integers(0, 6))
    payloads = []
    for n in range(m):
        counts = data.draw(st.lists(COUNT, min_size=6, max_size=6))
        votes = dict(
            zip(
                parties,
                data.draw(st.lists(COUNT, min_size=len(parties), max_size=len(parties))),
                strict=True,
            )
        )
        payload = dict(zip(HEAD_FIELDS, counts, strict=True))
        payload.update(station=f"s{n}", source="official", votes=votes, warnings=[])
        payloads.append(decode(json.dumps(payload)))
    width = len(HEAD_FIELDS) + len(parties)
    got = np.frombuffer(
        NATIVE.int_rows(payloads, ((read_head,), (VOTES, astuple)), width), np.int64
    )
    expected = [x for p in payloads for x in (*read_head(p), *astuple(p.votes))]
    assert got.tolist() == expected


@pytest.mark.parametrize(
    "items, readers, width, error",
    [
        ([(1, 2)], ((tuple,),), 3, ValueError),  # fewer integers than the width
        ([(1, 2)], ((tuple,),), 1, ValueError),  # more
        ([(1, "2")], ((tuple,),), 2, TypeError),  # not an int
        ([(1, 2**63)], ((tuple,),), 2, OverflowError),
        ([[1, 2]], ((list,),), 2, TypeError),  # a reader must give a tuple
        ([(1, 2)], (tuple,), 2, TypeError),  # readers are chains (tuples) of callables
    ],
)
def test_int_rows_refuses(items: Any, readers: Any, width: int, error: type) -> None:
    assert NATIVE is not None
    with pytest.raises(error):
        NATIVE.int_rows(items, readers, width)


def test_a_rebuild_is_the_same_with_and_without_the_c_module() -> None:
    parties = sample_parties(4)
    stations = sample_stations(50)
    ids = tuple(p.id for p in parties)
    election = Election("e", "E", "", "kg-2020", tuple(parties), tuple(stations))
    page = [
        json.dumps(protocol_payload(p, ids), sort_keys=True, separators=(",", ":"))
        for p in sample_protocols(stations, ids, seed=2)
    ]
    # then a page of corrections (with a reason), read in C too, and an observer's copy (not)
    corrected = [
        json.dumps(
            {**json.loads(t), "reason": 'recount "B"', "invalid": 0},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        )
        for t in page[:5]
    ]
    observer = json.dumps({**json.loads(page[7]), "source": "observer:o1"}, sort_keys=True)
    states, rows = [], []
    try:
        for native in (NATIVE, None):
            speedups.native = native
            tally = Tally.rebuild_from_ledger(election, [page, corrected, [observer]], [])
            rows.append(tally._rows_all.copy())
            states.append(tally.state())  # every accepted protocol read, so decoded
    finally:
        speedups.native = NATIVE
    assert (rows[0] == rows[1]).all()
    assert states[0] == states[1]
    assert rows[0][:, 0].sum() == sum(s.registered for s in stations)


# ----- canonical_counts: a page of canonical payloads read without decoding them -------------

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=6)
PARTIES = ("a", "b.c", "é", "z%")  # (msgspec refuses a quote or backslash in a party id)


def _payload(
    counts: list[int], votes: list[int], station: str, source: str | None, **rest: Any
) -> str:
    from shailoo.ledger.encoding import canonical_json

    payload: dict[str, Any] = dict(zip(HEAD_FIELDS, counts, strict=True))
    payload.update(station=station, votes=dict(zip(PARTIES, votes, strict=True)), **rest)
    if source is not None:
        payload["source"] = source
    return canonical_json(payload)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.lists(st.integers(-(10**17), 10**17), min_size=6, max_size=6),
            st.lists(st.integers(0, 10**17), min_size=4, max_size=4),
            st.sampled_from(["s0", "s1", "s2", 's"q', "nowhere"]),
            st.sampled_from(["official", "official", "official", "machine", None]),
            st.none() | TEXT,
            st.none() | TEXT,
            st.lists(st.sampled_from(["P108", 'P1"0']), max_size=2),
        ),
        max_size=5,
    )
)
def test_canonical_counts_reads_what_the_struct_decoder_reads(rows: list[Any]) -> None:
    """For a page of canonical payloads, the station indices and count rows equal those of
    the struct path; a page with any payload it does not take (another source, an unknown
    station, a station id with an escape) is declined whole."""
    assert NATIVE is not None
    stations = {"s0": 0, "s1": 1, "s2": 2, 's"q': 3}
    page = [
        _payload(c, v, s, src, entered_by=e, reason=r, warnings=w) for c, v, s, src, e, r, w in rows
    ]
    keys = tuple(json.dumps(p, ensure_ascii=False).encode() + b":" for p in sorted(PARTIES))
    got = NATIVE.canonical_counts(page, keys, stations, 6 + len(PARTIES))
    takes = all(s in stations and '"' not in s and src == "official" for _, _, s, src, *_ in rows)
    if not takes:
        assert got is None
        return
    assert got is not None
    at, data = got
    decode = payload_decoder(PARTIES)
    structs = [decode(t) for t in page]
    assert at == [stations[p.station] for p in structs]
    width = 6 + len(PARTIES)
    expected = [x for p in structs for x in (*read_head(p), *astuple(p.votes))]
    assert np.frombuffer(data, np.int64).tolist() == expected
    assert len(data) == 8 * width * len(page)


@pytest.mark.parametrize(
    "edit",
    [
        lambda t: t.replace(",", ", ", 1),  # a space
        lambda t: t.replace('"invalid"', '"invalid2"'),  # an unknown key
        lambda t: t.replace('"warnings":[]', '"warnings":[],"x":1'),  # an extra key
        lambda t: t.replace(":0,", ":00,", 1),  # not JSON's form of a number
        lambda t: t.replace(":0,", ":0.0,", 1),  # a float
        lambda t: t.replace(":0,", ":-0,", 1),  # minus zero
        lambda t: t.replace('"z%":0', '"z%":0,"q":1'),  # a party not on the ballot
        lambda t: t[:-1],  # cut short
        lambda t: t + " ",  # trailing space
        lambda t: t.replace('"warnings":[]', '"warnings":[["P1"]]'),  # a list in the list
    ],
)
def test_canonical_counts_declines_any_other_form(edit: Any) -> None:
    assert NATIVE is not None
    keys = tuple(json.dumps(p, ensure_ascii=False).encode() + b":" for p in sorted(PARTIES))
    text = _payload([0] * 6, [0] * 4, "s0", "official", entered_by=None, reason=None, warnings=[])
    assert NATIVE.canonical_counts([text], keys, {"s0": 0}, 10) is not None
    assert NATIVE.canonical_counts([text, edit(text)], keys, {"s0": 0}, 10) is None


def test_a_party_id_msgspec_cannot_name_a_field_after_is_rebuilt_the_generic_way() -> None:
    """A party id with a quote (the library takes it; the setup files do not): the struct
    decoder cannot be made for it, so every protocol goes the generic way, with the same
    result as applying the events one by one."""
    from shailoo.domain.events import PROTOCOL_RECORDED, Event
    from shailoo.domain.model import Party

    parties = (Party('a"b', "Quote"), Party("c", "C"))
    stations = sample_stations(5)
    ids = tuple(p.id for p in parties)
    election = Election("e", "E", "", "kg-2020", parties, tuple(stations))
    payloads = [protocol_payload(p, ids) for p in sample_protocols(stations, ids, seed=4)]
    page = [json.dumps(p, sort_keys=True, separators=(",", ":")) for p in payloads]
    rebuilt = Tally.rebuild_from_ledger(election, [page], [])
    events = [
        Event(n + 2, PROTOCOL_RECORDED, p, "op", "t", "e", "h") for n, p in enumerate(payloads)
    ]
    assert rebuilt.state() == Tally.rebuild(election, events).state()
    assert rebuilt.national_totals().votes['a"b'] > 0
