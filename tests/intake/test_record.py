"""record_protocols: checks, refusals, warnings, corrections, duplicates, sources."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.domain.errors import NotFound, Refused
from shailoo.intake import create_election, record_protocols
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.ledger import Store
from shailoo.ledger.verify import verify_store

PARTIES = sample_parties(3)
STATIONS = sample_stations(6)


@pytest.fixture
def election_id(store: Store) -> str:
    e = create_election(
        store,
        law="kg-2020",
        parties=PARTIES,
        stations=STATIONS,
        author="cec",
        election_id="kg-2020",
    )
    return e.id


def protocols() -> list:  # type: ignore[type-arg]
    return list(sample_protocols(STATIONS, tuple(p.id for p in PARTIES), seed=2))


def test_record_then_duplicate_then_correction(store: Store, election_id: str) -> None:
    ps = protocols()
    first = record_protocols(store, election_id, ps, "op")
    assert len(first.recorded) == 6 and not first.rejected and first.duplicates == 0
    assert {e.kind for e in first.recorded} == {"protocol.recorded"}
    again = record_protocols(store, election_id, ps, "op")
    assert (len(again.recorded), again.duplicates) == (0, 6)

    p = ps[0]
    moved = replace(p, votes={**p.votes, "p01": p.votes["p01"] - 1, "p02": p.votes["p02"] + 1})
    no_reason = record_protocols(store, election_id, [moved], "op")
    assert not no_reason.recorded and [f.code for f in no_reason.rejected[0].errors] == ["P201"]
    fixed = record_protocols(
        store, election_id, [replace(moved, reason="recount, DEC decision 12")], "op2"
    )
    (event,) = fixed.recorded
    assert (
        event.kind == "protocol.corrected" and event.payload["reason"] == "recount, DEC decision 12"
    )
    assert event.author == "op2"
    history = store.protocol_history(election_id, p.station)
    assert [e.kind for e in history] == ["protocol.recorded", "protocol.corrected"]
    assert all(r.ok for r in verify_store(store))


def test_errors_refused_warnings_stored(store: Store, election_id: str) -> None:
    p = protocols()[1]
    bad = replace(p, ballots_cast=p.ballots_cast + 1)
    high = replace(
        p,
        registered=p.ballots_cast + 1,
        ballots_issued=p.ballots_cast,
        ballots_received=p.ballots_cast,
    )
    result = record_protocols(store, election_id, [bad, high], "op")
    assert [r.index for r in result.rejected] == [0]
    assert result.rejected[0].errors[0].code == "P101"
    (event,) = result.recorded
    assert "P108" in [w["code"] for w in event.payload["warnings"]]
    assert store.head(election_id).seq == 2  # type: ignore[union-attr]


def test_observer_copy_is_its_own_source(store: Store, election_id: str) -> None:
    p = protocols()[0]
    record_protocols(store, election_id, [p], "op")
    copy = replace(
        p,
        source="observer:taza-shailoo",
        votes={**p.votes, "p01": p.votes["p01"] + 3},
        ballots_cast=p.ballots_cast + 3,
        ballots_issued=p.ballots_issued + 3,
        ballots_received=p.ballots_received + 3,
    )
    refused = record_protocols(store, election_id, [copy], "observer-1")
    assert not refused.recorded and [f.code for f in refused.rejected[0].findings] == ["P007"]
    result = record_protocols(store, election_id, [copy], "observer-1", allow_observer_sources=True)
    assert [e.kind for e in result.recorded] == ["protocol.recorded"]
    latest = store.latest_protocols(election_id)
    assert set(latest) == {(p.station, "official"), (p.station, "observer:taza-shailoo")}


def test_unknown_election(store: Store) -> None:
    with pytest.raises(NotFound):
        record_protocols(store, "nope", protocols(), "op")


def test_rerun_links_to_the_old_ledger(store: Store, election_id: str) -> None:
    record_protocols(store, election_id, protocols(), "op")
    with pytest.raises(Refused):
        create_election(
            store,
            law="kg-2020",
            parties=PARTIES,
            stations=STATIONS,
            author="cec",
            election_id="kg-2020",
        )
    new = create_election(
        store,
        law="kg-2021",
        parties=PARTIES,
        stations=STATIONS,
        author="cec",
        election_id="kg-2020-rerun",
        replaces={"election_id": "kg-2020", "scope": {"level": "election"}},
    )
    old_head = store.head("kg-2020")
    assert old_head is not None and old_head.kind == "election.replaced"
    assert old_head.payload["by"] == "kg-2020-rerun"
    assert store.election(new.id).replaces == {
        "election_id": "kg-2020",
        "final_hash": old_head.hash,
        "scope": {"level": "election"},
    }
    assert store.elections() == ["kg-2020", "kg-2020-rerun"]
    assert store.current_election() == "kg-2020-rerun"
    assert all(r.ok for r in verify_store(store))


@given(
    votes=st.lists(st.integers(0, 10**6), min_size=3, max_size=3),
    base=st.lists(st.integers(0, 10**9), min_size=6, max_size=6),
    station=st.text(min_size=1),
    entered_by=st.none() | st.text(),
    reason=st.none() | st.text(),
    source=st.sampled_from(["official", 'observer:ОО \\"x\\"', "machine"]),
    warnings=st.lists(st.tuples(st.text(), st.text()), max_size=2),
)
def test_fast_payload_json_is_canonical(
    votes: list[int],
    base: list[int],
    station: str,
    entered_by: str | None,
    reason: str | None,
    source: str,
    warnings: list[tuple[str, str]],
) -> None:
    from shailoo.checks.protocol import Finding
    from shailoo.domain.model import Protocol
    from shailoo.intake.protocols import protocol_payload, protocol_payload_json
    from shailoo.ledger.encoding import canonical_json

    ids = ("zeta", "alpha", "Мекен")  # ballot order is not sorted order
    p = Protocol(station, *base, dict(zip(ids, votes, strict=True)), source, entered_by, reason)
    payload = protocol_payload(p, ids, [Finding(c, "warning", m) for c, m in warnings])
    assert protocol_payload_json(payload, tuple(sorted(ids))) == canonical_json(payload)
