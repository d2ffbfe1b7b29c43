"""Decisions and re-runs on a real SQLite ledger: results and seats change exactly as decided."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tally_factory import protocol, protocol_payload, small_election

from shailoo.commission import LegalBasis, Vote, create_rerun, make_decision, revoke_decision
from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import ELECTION_DEFINED, PROTOCOL_RECORDED
from shailoo.ledger import Store, open_store
from shailoo.tally.service import load_tally, seats_for_db, seats_for_tally
from shailoo.tally.units import Decision

LAW = """
name = "test law"
seats = 10
method = "hare"
threshold = "10%"
threshold_base = "ballots_cast"
"""
# Region North: A strong; South: B strong; C small everywhere, D only in district S2.
VOTES = {
    "N1-1": {"A": 400, "B": 100, "C": 60, "D": 0},
    "N1-2": {"A": 300, "B": 150, "C": 50, "D": 0},
    "N2-1": {"A": 250, "B": 200, "C": 40, "D": 0},
    "S1-1": {"A": 100, "B": 400, "C": 40, "D": 0},
    "S1-2": {"A": 120, "B": 380, "C": 30, "D": 0},
    "S2-1": {"A": 50, "B": 100, "C": 20, "D": 400},
}
LAYOUT = {"North": {"N1": 2, "N2": 1}, "South": {"S1": 2, "S2": 1}}
BASIS = LegalBasis("art. 42 par. 1", "The CEC annuls results where violations affect the outcome")
VOTE = Vote(10, 2, 0)


@pytest.fixture
def store(ledger_db: tuple[str, str | None]) -> Iterator[Store]:
    """A ledger with the test election, on SQLite and on PostgreSQL (``ledger_db``)."""
    db, schema = ledger_db
    yield from _filled(open_store(db, schema=schema))


def _filled(s: Store) -> Iterator[Store]:
    e = small_election(parties=("A", "B", "C", "D"), layout=LAYOUT, law=LAW)
    s.append("e1", [(ELECTION_DEFINED, e.to_payload(), "cec")])
    s.append(
        "e1",
        [
            (PROTOCOL_RECORDED, protocol_payload(protocol(sid, v, against_all=10)), "op")
            for sid, v in VOTES.items()
        ],
    )
    try:
        yield s
    finally:
        s.close()


def seats(store: Store) -> dict[str, int]:
    _, alloc, _, _ = seats_for_tally(load_tally(store, "e1"))
    return alloc.seats


def decide(store: Store, **changes: Any) -> Decision:
    """A decision on election e1: annul station N1-1 as the CEC, but for ``changes``."""
    fields: dict[str, Any] = {
        "action": "annul", "level": "station", "unit": "N1-1", "reason": "x",
        "basis": BASIS, "vote": VOTE, "date": "2020-10-06", "author": "cec",
    }  # fmt: skip
    fields.update(changes)
    return make_decision(store, "e1", **fields)


def annul(store: Store, level: str, unit: str) -> str:
    return decide(store, level=level, unit=unit, reason="ballot stuffing").decision_id


def revoke(store: Store, did: str) -> str:
    r = revoke_decision(
        store,
        "e1",
        revokes=did,
        reason="court order",
        basis=BASIS,
        vote=VOTE,
        date="2020-10-10",
        author="cec",
    )
    return r.decision_id


def test_station_then_district_then_election_then_revocations(store: Store) -> None:
    # Worked by hand (Hare, 10 seats, threshold 10 % of ballots cast = votes + 10 per station):
    # all: A 1220, B 1330, C 240, D 400, cast 3250, threshold 325 -> C out; quota 2950/10:
    #      A 4.14, B 4.51, D 1.36 -> 4 + 4 + 1, last seat to B's .51
    base = seats(store)
    assert base == {"A": 4, "B": 5, "C": 0, "D": 1}
    # without N1-1: A 820, B 1230, D 400, cast 2680; quota 245: 3.35, 5.02, 1.63 -> D's .63
    d1 = annul(store, "station", "N1-1")
    t = load_tally(store, "e1")
    assert t.unit("nation").votes["A"] == sum(v["A"] for v in VOTES.values()) - 400
    assert seats(store) == {"A": 3, "B": 5, "C": 0, "D": 2}
    # without S2 too (D's only district): A 770, B 1130, cast 2100; quota 190: 4.05, 5.95
    d2 = annul(store, "district", "S2")
    t = load_tally(store, "e1")
    assert t.unit("nation").votes["D"] == 0 and t.unit("district", "S2").annulled
    assert seats(store) == {"A": 4, "B": 6, "C": 0, "D": 0}
    d3 = annul(store, "election", "")
    with pytest.raises(Refused, match="annulled by decision D3 .* no seats"):
        seats(store)
    if store.backend == "sqlite":
        with pytest.raises(Refused, match="no seats"):
            seats_for_db(str(store_path(store)), "e1")
    t = load_tally(store, "e1")
    assert t.unit("nation", as_reported=True).votes["D"] == 400  # still readable
    revoke(store, d3)
    assert seats(store) == {"A": 4, "B": 6, "C": 0, "D": 0}
    revoke(store, d2)
    revoke(store, d1)
    assert seats(store) == base
    t = load_tally(store, "e1")
    assert [d.standing for d in t.decisions.values()] == [False] * 3 + [True] * 3


def store_path(store: Store) -> str:
    return str(store.path)  # type: ignore[attr-defined]


def test_refusals(store: Store) -> None:
    annul(store, "region", "South")
    with pytest.raises(Refused, match="already annulled by D1"):
        annul(store, "district", "S1")
    with pytest.raises(Refused, match="cannot certify"):
        decide(store, action="certify", unit="S1-1", reason="ok")
    with pytest.raises(NotFound):
        annul(store, "district", "Z9")
    with pytest.raises(Refused, match="not carried"):
        decide(store, vote=Vote(3, 3, 1))
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        decide(store, date="6 Oct")
    with pytest.raises(InputError, match="article"):
        decide(store, basis=LegalBasis("", "t"))
    r = revoke(store, "D1")
    with pytest.raises(Refused, match="already revoked"):
        revoke(store, "D1")
    with pytest.raises(Refused, match="is a revocation"):
        revoke(store, r)
    with pytest.raises(NotFound):
        revoke(store, "D99")


def test_whole_rerun_links_both_ways(store: Store) -> None:
    with pytest.raises(Refused, match="not annulled"):
        create_rerun(store, "e1")
    annul(store, "election", "")
    from shailoo.domain.model import Party

    new = create_rerun(store, "e1", withdraw=["C"], parties=None, date="2021-01-10", author="cec")
    assert new.id == "e1-rerun" and new.party_ids == ("A", "B", "D")
    old = load_tally(store, "e1")
    assert old.replaced_by[0]["by"] == "e1-rerun"
    assert new.replaces is not None
    assert new.replaces["final_hash"] == store.head("e1").hash  # type: ignore[union-attr]
    assert store.election("e1-rerun").replaces == new.replaces
    assert load_tally(store).election.id == "e1-rerun"  # the re-run is now the default
    with pytest.raises(Refused, match="already replaced"):
        create_rerun(store, "e1")
    with pytest.raises(Refused, match="ledger is closed"):
        revoke(store, "D1")
    e2 = create_rerun  # a re-run of the re-run needs its own annulment
    with pytest.raises(Refused):
        e2(store, "e1-rerun", parties=[Party("A", "A"), Party("N", "New")])


def test_partial_rerun_takes_the_place_of_annulled_stations(store: Store) -> None:
    annul(store, "district", "S2")
    with pytest.raises(Refused, match="not annulled"):
        create_rerun(store, "e1", level="district", ids=["S1"])
    new = create_rerun(store, "e1", level="district", ids=["S2"], date="2020-11-01")
    assert [s.id for s in new.stations] == ["S2-1"]
    with pytest.raises(Refused, match="already covers"):
        create_rerun(store, "e1", level="district", ids=["S2"])
    assert load_tally(store).election.id == "e1"  # a partial re-run lives in its original
    t = load_tally(store)
    assert t.unit("district", "S2").stations_missing == 1
    store.append(
        new.id,
        [
            (
                PROTOCOL_RECORDED,
                protocol_payload(
                    protocol("S2-1", {"A": 50, "B": 100, "C": 20, "D": 30}, against_all=10)
                ),
                "op",
            )
        ],
    )
    t = load_tally(store)
    assert t.unit("nation").votes["D"] == 30
    assert t.station_status("S2-1").rerun == new.id
    assert t.unit("nation", as_reported=True).votes["D"] == 400
    assert seats(store)["D"] == 0
    with pytest.raises(Refused, match="re-runs part of 'e1'"):
        seats_for_tally(load_tally(store, new.id))


def test_an_interrupted_whole_rerun_is_completed_by_running_it_again(store: Store) -> None:
    """The process stopped between the two ledgers' appends: the old ledger says "replaced
    by" an election that was never written. Running the re-run again writes it, linked to
    the "replaced" event, and writes nothing twice."""
    from shailoo.domain.events import ELECTION_REPLACED

    annul(store, "election", "")
    scope = {"level": "election"}
    replaced = store.append("e1", [(ELECTION_REPLACED, {"by": "e1-rerun", "scope": scope}, "cec")])
    assert "e1-rerun" not in store.elections()
    with pytest.raises(Refused, match="interrupted"):
        create_rerun(store, "e1", level="district", ids=["S2"])
    new = create_rerun(store, "e1", withdraw=["C"], date="2021-01-10", author="cec")
    assert new.id == "e1-rerun" and new.party_ids == ("A", "B", "D")
    assert new.replaces == {"election_id": "e1", "final_hash": replaced[0].hash, "scope": scope}
    assert store.election("e1-rerun").replaces == new.replaces
    assert [r["by"] for r in load_tally(store, "e1").replaced_by] == ["e1-rerun"]
    with pytest.raises(Refused, match="already replaced"):
        create_rerun(store, "e1")


def test_two_clerks_deciding_at_once_get_two_decision_ids(
    store: Store, ledger_db: tuple[str, str | None]
) -> None:
    """Both read the tally, then both decide: the second sees the first under the lock."""
    db, schema = ledger_db
    with open_store(db, schema=schema) as other:
        mine, theirs = load_tally(store, "e1"), load_tally(other, "e1")
        first = make_decision(
            store, "e1", action="annul", level="station", unit="N1-1", reason="a",
            basis=BASIS, vote=VOTE, date="2020-10-06", author="cec", tally=mine,
        )  # fmt: skip
        second = make_decision(
            other, "e1", action="annul", level="station", unit="S2-1", reason="b",
            basis=BASIS, vote=VOTE, date="2020-10-06", author="cec", tally=theirs,
        )  # fmt: skip
    assert (first.decision_id, second.decision_id) == ("D1", "D2")
    assert set(load_tally(store, "e1").decisions) == {"D1", "D2"}


def test_an_interrupted_partial_rerun_leaves_results_readable_and_is_completed(
    store: Store,
) -> None:
    """Before it is completed the original's results still load (the district stays
    annulled); running the same re-run again writes the missing election."""
    from shailoo.domain.events import ELECTION_REPLACED

    annul(store, "district", "S2")
    scope = {"level": "district", "ids": ["S2"]}
    replaced = store.append("e1", [(ELECTION_REPLACED, {"by": "e1-rerun", "scope": scope}, "cec")])
    t = load_tally(store, "e1")
    assert t.unit("district", "S2").annulled_by == ("D1",) and "D" in seats(store)
    new = create_rerun(store, "e1", level="district", ids=["S2"], date="2020-11-01")
    assert new.id == "e1-rerun" and [s.id for s in new.stations] == ["S2-1"]
    assert new.replaces == {"election_id": "e1", "final_hash": replaced[0].hash, "scope": scope}
    assert load_tally(store, "e1").unit("district", "S2").stations_missing == 1
    with pytest.raises(Refused, match="already covers"):
        create_rerun(store, "e1", level="district", ids=["S2"])
