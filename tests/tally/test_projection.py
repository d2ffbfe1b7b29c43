"""The tally projection: aggregates, annulments, revocations, double entry, partial re-runs."""

from __future__ import annotations

from fractions import Fraction

import pytest
from tally_factory import Ledger, protocol, small_election

from shailoo.domain.errors import NotFound
from shailoo.domain.events import INCIDENT_REPORTED, INCIDENT_UPDATED, RECONCILIATION_RESOLVED
from shailoo.tally import Tally

VOTES = {
    "N1-1": {"A": 100, "B": 50, "C": 10},
    "N1-2": {"A": 80, "B": 70, "C": 20},
    "N2-1": {"A": 60, "B": 60, "C": 30},
    "S1-1": {"A": 10, "B": 200, "C": 40},
    "S1-2": {"A": 20, "B": 100, "C": 50},
}


def filled() -> tuple[Ledger, Tally]:
    e = small_election()
    led = Ledger(e)
    for sid, v in VOTES.items():
        led.record(protocol(sid, v, against_all=5, invalid=3))
    t = Tally(e)
    t.apply_all(led.events)
    return led, t


def total(party: str, stations: list[str]) -> int:
    return sum(VOTES[s][party] for s in stations)


def test_aggregates_by_every_unit() -> None:
    _, t = filled()
    nation = t.unit("nation")
    assert nation.votes == {p: total(p, list(VOTES)) for p in "ABC"}
    assert nation.stations_reported == 5 and nation.stations_total == 5
    assert nation.against_all == 25 and nation.invalid == 15
    cast = sum(sum(v.values()) for v in VOTES.values()) + 5 * 8
    assert nation.ballots_cast == cast
    assert nation.registered == 5000
    assert nation.turnout == Fraction(cast, 5000)
    assert nation.shares["A"] == Fraction(total("A", list(VOTES)), cast)
    north = t.unit("region", "North")
    assert north.votes["B"] == 50 + 70 + 60 and north.stations_total == 3
    assert t.unit("district", "S1").votes["C"] == 90
    assert t.unit("station", "N2-1").votes["C"] == 30
    assert t.national_totals().votes["A"] == 270
    assert set(t.regional_totals()) == {"North", "South"}


def test_missing_stations_and_turnout_of_reporting_ones() -> None:
    e = small_election()
    led = Ledger(e)
    led.record(protocol("N1-1", {"A": 300, "B": 100, "C": 100}))
    t = Tally.rebuild(e, led.events)
    n = t.unit("nation")
    assert (n.stations_reported, n.stations_missing) == (1, 4)
    assert n.registered == 1000 and n.registered_total == 5000
    assert n.turnout == Fraction(1, 2)
    assert t.station_status("S1-2").status == "missing"
    with pytest.raises(NotFound):
        t.unit("region", "Atlantis")


def test_correction_replaces_the_station_row() -> None:
    led, t = filled()
    ev = led.record(protocol("N1-1", {"A": 1, "B": 2, "C": 3}, reason="recount"), corrected=True)
    t.apply(ev)
    assert t.unit("nation").votes["A"] == total("A", list(VOTES)) - 100 + 1
    assert t.station("N1-1").votes["A"] == 1  # type: ignore[union-attr]


def test_annul_station_then_district_then_election_and_revoke() -> None:
    led, t = filled()
    all_a = total("A", list(VOTES))
    t.apply(led.decide("D1", "annul", "station", "N1-1"))
    assert t.unit("nation").votes["A"] == all_a - 100
    assert t.unit("nation").stations_annulled == 1
    assert t.station_status("N1-1").status == "annulled"
    assert t.station("N1-1") is not None  # what was annulled stays readable
    assert t.unit("nation", as_reported=True).votes["A"] == all_a
    t.apply(led.decide("D2", "annul", "district", "S1"))
    assert t.unit("nation").votes["B"] == 50 + 70 + 60 - 50
    assert t.unit("district", "S1").annulled and t.unit("district", "S1").votes["B"] == 0
    assert t.unit("station", "S1-2").annulled_by == ("D2",)
    t.apply(led.decide("D3", "annul", "election", "e1"))
    assert t.annulled and t.election_annulment().decision_id == "D3"  # type: ignore[union-attr]
    assert t.unit("nation").votes == {"A": 0, "B": 0, "C": 0}
    assert t.unit("nation").stations_annulled == 5
    assert t.unit("nation", as_reported=True).votes["A"] == all_a
    t.apply(led.revoke("R1", "D3"))
    assert not t.annulled
    assert t.unit("nation").votes["A"] == all_a - 100 - 30
    t.apply(led.revoke("R2", "D2"))
    t.apply(led.revoke("R3", "D1"))
    assert t.unit("nation").votes["A"] == all_a
    assert t.unit("nation").stations_annulled == 0
    assert t.decisions["D1"].revoked_by == "R3" and not t.decisions["D1"].standing
    assert Tally.rebuild(t.election, led.events).state() == t.state()


def test_overlapping_annulments_need_both_revoked() -> None:
    led, t = filled()
    t.apply(led.decide("D1", "annul", "station", "S1-1"))
    t.apply(led.decide("D2", "annul", "region", "South"))
    t.apply(led.revoke("R1", "D2"))
    assert t.station_status("S1-1").status == "annulled"
    assert t.unit("region", "South").votes["B"] == 100


def test_certify_marks_the_unit() -> None:
    led, t = filled()
    t.apply(led.decide("C1", "certify", "region", "North"))
    assert t.unit("region", "North").certified_by == ("C1",)
    assert not t.unit("region", "South").certified
    t.apply(led.revoke("R1", "C1"))
    assert not t.unit("region", "North").certified


def test_double_entry_counts_only_agreeing_entries() -> None:
    e = small_election(double_entry=True)
    led = Ledger(e)
    t = Tally(e)
    t.apply(led.record(protocol("N1-1", {"A": 10, "B": 20, "C": 30})))
    assert t.unit("nation").stations_reported == 0
    assert "second entry" in t.station_status("N1-1").detail
    t.apply(led.record(protocol("N1-1", {"A": 10, "B": 21, "C": 29}, source="second-entry")))
    assert t.unit("nation").stations_reported == 0
    assert "disagree on B, C" in t.station_status("N1-1").detail
    t.apply(
        led.record(
            protocol("N1-1", {"A": 10, "B": 20, "C": 30}, source="second-entry", reason="typo"),
            corrected=True,
        )
    )
    assert t.unit("nation").votes == {"A": 10, "B": 20, "C": 30}
    assert Tally.rebuild(e, led.events).state() == t.state()


def test_observer_copies_never_count_unless_reconciliation_accepts_them() -> None:
    e = small_election()
    led = Ledger(e)
    t = Tally(e)
    t.apply(led.record(protocol("N1-1", {"A": 90, "B": 10, "C": 0})))
    t.apply(led.record(protocol("N1-1", {"A": 40, "B": 60, "C": 0}, source="observer:o1")))
    assert t.unit("nation").votes["A"] == 90
    t.apply(
        led.add(
            RECONCILIATION_RESOLVED,
            {"station": "N1-1", "accepted_source": "observer:o1", "reason": "photo"},
        )
    )
    assert t.unit("nation").votes["A"] == 40
    assert t.station_status("N1-1").sources == ("observer:o1", "official")


def test_incidents_flag_stations_until_dismissed() -> None:
    e = small_election()
    led = Ledger(e)
    t = Tally(e)
    t.apply(led.add(INCIDENT_REPORTED, {"incident_id": "I1", "station": "S1-1"}))
    assert t.flagged_stations() == {"S1-1": ["I1"]}
    t.apply(led.add(INCIDENT_UPDATED, {"incident_id": "I1", "status": "dismissed"}))
    assert t.flagged_stations() == {}


def test_partial_rerun_replaces_annulled_stations() -> None:
    led, t = filled()
    t.apply(led.decide("D1", "annul", "district", "S1"))
    rerun_e = small_election(election_id="e1-rerun", layout={"South": {"S1": 2}})
    rled = Ledger(rerun_e)
    rled.record(protocol("S1-1", {"A": 1, "B": 2, "C": 3}))
    rerun = Tally.rebuild(rerun_e, rled.events)
    t.attach_rerun(rerun)
    south = t.unit("region", "South")
    assert south.votes == {"A": 1, "B": 2, "C": 3}
    assert (south.stations_reported, south.stations_rerun, south.stations_missing) == (1, 2, 1)
    assert t.station_status("S1-1").rerun == "e1-rerun"
    assert t.station_status("S1-2").status == "missing"
    assert t.unit("region", "South", as_reported=True).votes["B"] == 300
    counted = {p.station for p in t.current_protocols()}
    assert counted == {"N1-1", "N1-2", "N2-1", "S1-1"}


def test_unknown_parties_and_stations_are_not_counted() -> None:
    e = small_election()
    led = Ledger(e)
    led.record(protocol("X-9", {"A": 5}))
    led.record(protocol("N1-1", {"A": 5, "Z": 7}))
    t = Tally.rebuild(e, led.events)
    assert t.unknown_stations == {"X-9"}
    assert t.unit("nation").votes == {"A": 5, "B": 0, "C": 0}
