"""Property: the fast rebuild from raw ledger rows equals applying the events one by one.

``Tally.rebuild_from_rows`` and ``Tally.rebuild_from_ledger`` (what ``load_tally`` uses) decode
protocol payloads into typed structs and fill the matrix in bulk; a payload the strict struct
refuses takes the generic path. Whatever the sequence of protocols (several sources, corrections, unknown stations,
loosely typed payloads), decisions, revocations, reconciliations, incidents and re-runs, with
or without double data entry, the state must be the incremental one, and stay equal when
further events are applied to both afterwards.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tally_factory import PARTIES, Ledger, protocol, small_election

from shailoo.domain.events import (
    ELECTION_REPLACED,
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
    PROTOCOL_CORRECTED,
    PROTOCOL_RECORDED,
    RECONCILIATION_RESOLVED,
    Event,
)
from shailoo.domain.model import Election
from shailoo.ledger.store import PROTOCOL_KINDS
from shailoo.tally import Tally
from shailoo.tally.payloads import ProtocolPayload, protocol_decoder

LAYOUT = {"North": {"N1": 2, "N2": 1}, "South": {"S1": 2, "S2": 1}}
STATIONS = ["N1-1", "N1-2", "N2-1", "S1-1", "S1-2", "S2-1"]
UNITS = (
    [("station", s) for s in STATIONS]
    + [("district", d) for d in ("N1", "N2", "S1", "S2")]
    + [("region", r) for r in ("North", "South")]
    + [("election", "e1")]
)
SOURCES = ("official", "second-entry", "observer:o1", "machine", "")
#: how a protocol payload is written: canonical, or in a way the strict struct refuses
SHAPES = ("canonical", "float-count", "missing-party", "unknown-party", "null-source")

votes = st.fixed_dictionaries({p: st.integers(0, 500) for p in PARTIES})
step = st.one_of(
    st.tuples(
        st.just("protocol"),
        st.sampled_from([*STATIONS, "X-1"]),
        votes,
        st.sampled_from(SOURCES),
        st.sampled_from(SHAPES),
        st.booleans(),
    ),
    # the common case, which a rebuild keeps in bulk: official, canonical, a known station
    st.tuples(
        st.just("protocol"),
        st.sampled_from(STATIONS),
        votes,
        st.just("official"),
        st.just("canonical"),
        st.booleans(),
    ),
    st.tuples(st.just("annul"), st.sampled_from(UNITS)),
    st.tuples(st.just("certify"), st.sampled_from(UNITS)),
    st.tuples(st.just("revoke"), st.integers(0, 30)),
    st.tuples(st.just("resolve"), st.sampled_from(STATIONS), st.sampled_from(SOURCES)),
    st.tuples(st.just("incident"), st.sampled_from(STATIONS), st.booleans()),
)


def shaped(payload: dict[str, Any], shape: str) -> dict[str, Any]:
    """The payload as ``shape`` writes it (the values the generic path reads stay the same)."""
    out = dict(payload, votes=dict(payload["votes"]))
    if shape == "float-count":
        out["invalid"] = float(out["invalid"])
    elif shape == "missing-party":
        del out["votes"][PARTIES[0]]
    elif shape == "unknown-party":
        out["votes"]["Z"] = 7
    elif shape == "null-source" and out["source"] == "official":
        out["source"] = None
    return out


def play(steps: list[tuple[Any, ...]], election: Election) -> Ledger:
    """The ledger the steps write (decisions refused by the commission are left out)."""
    led = Ledger(election)
    made: list[str] = []
    revoked: set[str] = set()
    for n, s in enumerate(steps):
        if s[0] == "protocol":
            _, station, v, source, shape, corrected = s
            p = protocol(station, v, against_all=1, invalid=n % 3, source=source or "official")
            payload = shaped(led.record(p).payload | {"source": source}, shape)
            led.events[-1] = Event(
                led.events[-1].seq,
                PROTOCOL_CORRECTED if corrected else PROTOCOL_RECORDED,
                payload,
                "tester",
                election_id=election.id,
                hash=led.events[-1].hash,
            )
        elif s[0] in ("annul", "certify"):
            did = f"D{n}"
            led.decide(did, s[0], *s[1])
            made.append(did)
        elif s[0] == "revoke" and made:
            target = made[s[1] % len(made)]
            if target not in revoked:
                revoked.add(target)
                led.revoke(f"R{n}", target)
        elif s[0] == "resolve":
            led.add(RECONCILIATION_RESOLVED, {"station": s[1], "accepted_source": s[2]})
        elif s[0] == "incident":
            led.add(INCIDENT_REPORTED, {"incident_id": f"I{s[1]}", "station": s[1]})
            if s[2]:
                led.add(INCIDENT_UPDATED, {"incident_id": f"I{s[1]}", "status": "dismissed"})
    return led


def rows(events: list[Event], skip_protocol_details: bool) -> list[tuple[Any, ...]]:
    """The events as ``Store.event_payloads`` returns them (payload as JSON text)."""
    out = []
    for e in events:
        bare = skip_protocol_details and e.kind in PROTOCOL_KINDS
        out.append(
            (
                e.seq,
                e.kind,
                None if bare else e.author,
                None if bare else e.recorded_at,
                None if bare else e.hash,
                json.dumps(e.payload, sort_keys=True),
            )
        )
    return out


def decoded(e: Event) -> Event:
    """The event with its payload as the generic JSON reading gives it."""
    return Event(
        e.seq,
        e.kind,
        json.loads(json.dumps(e.payload)),
        e.author,
        e.recorded_at,
        e.election_id,
        e.hash,
    )


def assert_same(a: Tally, b: Tally) -> None:
    """Two tallies hold the same state and give the same units at every level."""
    assert a.state() == b.state()
    for level in ("nation", "region", "district", "station"):
        assert a.units(level) == b.units(level)
        assert a.units(level, as_reported=True) == b.units(level, as_reported=True)
    assert a.unknown_stations == b.unknown_stations
    assert a.head_seq == b.head_seq
    for sid in STATIONS:
        assert a.station_status(sid) == b.station_status(sid)
        assert dict(a.versions(sid)) == dict(b.versions(sid))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(step, max_size=40),
    st.lists(step, max_size=8),
    st.booleans(),
    st.booleans(),
    st.booleans(),
)
def test_rows_rebuild_equals_incremental(
    steps: list[tuple[Any, ...]],
    later: list[tuple[Any, ...]],
    double_entry: bool,
    skip_details: bool,
    rerun: bool,
) -> None:
    election = small_election(layout=LAYOUT, double_entry=double_entry)
    led = play(steps + later, election)
    cut = len(play(steps, election).events)
    events = [decoded(e) for e in led.events]
    if rerun:
        events.insert(
            cut,
            Event(
                cut + 1,
                ELECTION_REPLACED,
                {"by": "e1-rerun", "scope": {"level": "district", "id": "N1"}},
                "tester",
                election_id="e1",
                hash="hr",
            ),
        )
        events = [
            Event(k + 1, e.kind, e.payload, e.author, e.recorded_at, e.election_id, e.hash)
            for k, e in enumerate(events)
        ]
        cut += 1

    incremental = Tally(election)
    for ev in events:
        incremental.apply(ev)
    fast = Tally.rebuild_from_rows(election, rows(events[:cut], skip_details))
    for ev in events[cut:]:  # then kept up to date event by event, as the web server does
        fast.apply(ev)
    if rerun:
        sub = small_election(election_id="e1-rerun", layout={"North": {"N1": 2}})
        sub_led = Ledger(sub)
        sub_led.record(protocol("N1-1", {"A": 5, "B": 6, "C": 7}))
        incremental.attach_rerun(Tally.rebuild(sub, sub_led.events))
        fast.attach_rerun(Tally.rebuild_from_rows(sub, rows(sub_led.events, True)))
    assert_same(fast, incremental)
    # a protocol row read without its hash leaves the head's hash to load_tally
    last_bare = skip_details and cut == len(events) and events[-1].kind in PROTOCOL_KINDS
    assert fast.head_hash == ("" if last_bare else incremental.head_hash)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(step, max_size=40),
    st.lists(step, max_size=8),
    st.booleans(),
    st.integers(1, 50),
    st.permutations(range(len(STATIONS))),
)
def test_ledger_rebuild_in_pages_equals_incremental(
    steps: list[tuple[Any, ...]],
    later: list[tuple[Any, ...]],
    double_entry: bool,
    page: int,
    order: list[int],
) -> None:
    """``Tally.rebuild_from_ledger`` (what ``load_tally`` uses): protocols in pages of any
    size (a correction may come pages after its station's first protocol), every other event
    apart, the station list in any order (its units need not be contiguous)."""
    base = small_election(layout=LAYOUT, double_entry=double_entry)
    election = replace(base, stations=tuple(base.stations[k] for k in order))
    led = play(steps + later, election)
    cut = len(play(steps, election).events)
    events = [decoded(e) for e in led.events]
    incremental = Tally(election)
    for ev in events:
        incremental.apply(ev)
    read = events[1:cut]  # load_tally reads after election.defined
    texts = [row[5] for row in rows(read, True) if row[1] in PROTOCOL_KINDS]
    pages = [texts[k : k + page] for k in range(0, len(texts), page)]
    others = [row for row in rows(read, False) if row[1] not in PROTOCOL_KINDS]
    fast = Tally.rebuild_from_ledger(election, pages, others)
    fast.head_seq, fast.head_hash = events[cut - 1].seq, events[cut - 1].hash
    for ev in events[cut:]:
        fast.apply(ev)
    assert_same(fast, incremental)
    assert fast.head_hash == incremental.head_hash


@pytest.mark.parametrize("page", [1, 4, 100])
def test_ledger_rebuild_keeps_the_newest_protocol_of_a_station(page: int) -> None:
    """Three rounds of official protocols for every station: the last round counts, whether
    a station's protocols share a page or not."""
    election = small_election(layout=LAYOUT)
    led = Ledger(election)
    for k in range(3):
        for sid in STATIONS:
            led.record(protocol(sid, {"A": k, "B": 10 * k, "C": 1}), corrected=k > 0)
    texts = [row[5] for row in rows(led.events[1:], True)]
    pages = [texts[k : k + page] for k in range(0, len(texts), page)]
    fast = Tally.rebuild_from_ledger(election, pages, [])
    assert fast.state() == Tally.rebuild(election, led.events).state()
    assert fast.unit("nation").votes == {"A": 2 * 6, "B": 20 * 6, "C": 6}


def test_strict_decoder_refuses_what_the_struct_cannot_hold() -> None:
    """Counts that are not integers, parties off the ballot or missing go the generic way."""
    decode = protocol_decoder(("B", "A"))
    base = {
        "station": "N1-1",
        "registered": 10,
        "ballots_received": 10,
        "ballots_issued": 5,
        "ballots_cast": 5,
        "invalid": 0,
        "against_all": 1,
        "votes": {"A": 1, "B": 3},
        "source": "official",
        "warnings": ["w"],
    }
    got = decode(json.dumps(base))
    assert isinstance(got, ProtocolPayload)
    assert got.votes.as_dict() == {"A": 1, "B": 3}
    assert got.to_protocol().votes == {"A": 1, "B": 3}
    for bad in (
        {"invalid": 0.0},
        {"invalid": True},
        {"votes": {"A": 1}},
        {"votes": {"A": 1, "B": 3, "Z": 0}},
        {"station": 11},
        {"registered": "10"},
    ):
        assert decode(json.dumps(base | bad)) is None, bad
    assert decode("{not json") is None


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(-(2**40), 2**40)), max_size=30),
    st.integers(7, 9),
)
def test_sums_by_unit_equal_add_at(cells: list[tuple[int, int]], n_units: int) -> None:
    """The sorted-run sums of the aggregates are np.add.at's, units without rows included."""
    import numpy as np

    from shailoo.tally.projection import _sums_by_unit

    unit_of = np.array([u for u, _ in cells], dtype=np.intp)
    rows = np.array([[v, -v, 1] for _, v in cells], dtype=np.int64).reshape(len(cells), 3)
    want = np.zeros((n_units, 3), dtype=np.int64)
    np.add.at(want, unit_of, rows)
    assert _sums_by_unit(rows, unit_of, n_units).tolist() == want.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 3), st.integers(-(2**40), 2**40)),
        max_size=30,
    )
)
def test_unit_runs_sum_every_level_like_add_at(cells: list[tuple[int, int, int]]) -> None:
    """The one-pass sums by (region, district) runs equal np.add.at per level, whatever the
    order of the stations and even if a district has stations in two regions."""
    import numpy as np

    from shailoo.tally.projection import _UnitRuns

    region_of = np.array([r for r, _, _ in cells], dtype=np.intp)
    district_of = np.array([d for _, d, _ in cells], dtype=np.intp)
    rows = np.array([[v, -v, 1] for _, _, v in cells], dtype=np.int64).reshape(len(cells), 3)
    nation, regions, districts = _UnitRuns(region_of, district_of, 3, 4).sums(rows)
    want_r = np.zeros((3, 3), dtype=np.int64)
    np.add.at(want_r, region_of, rows)
    want_d = np.zeros((4, 3), dtype=np.int64)
    np.add.at(want_d, district_of, rows)
    assert nation.tolist() == rows.sum(axis=0).tolist()
    assert regions.tolist() == want_r.tolist()
    assert districts.tolist() == want_d.tolist()
