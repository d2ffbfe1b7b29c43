"""Property: the rebuilt tally equals the incremental one after any sequence of events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tally_factory import PARTIES, Ledger, protocol, small_election

from shailoo.domain.events import INCIDENT_REPORTED, INCIDENT_UPDATED, RECONCILIATION_RESOLVED
from shailoo.tally import Tally, projection

ELECTION = small_election(layout={"North": {"N1": 2, "N2": 1}, "South": {"S1": 2, "S2": 1}})
STATIONS = [s.id for s in ELECTION.stations]
UNITS = (
    [("station", s) for s in STATIONS]
    + [("district", d) for d in ("N1", "N2", "S1", "S2")]
    + [("region", r) for r in ("North", "South")]
    + [("election", "e1")]
)
SOURCES = ("official", "second-entry", "observer:o1", "machine")

votes = st.fixed_dictionaries({p: st.integers(0, 500) for p in PARTIES})
step = st.one_of(
    st.tuples(st.just("protocol"), st.sampled_from(STATIONS), votes, st.sampled_from(SOURCES)),
    st.tuples(st.just("annul"), st.sampled_from(UNITS)),
    st.tuples(st.just("certify"), st.sampled_from(UNITS)),
    st.tuples(st.just("revoke"), st.integers(0, 30)),
    st.tuples(st.just("resolve"), st.sampled_from(STATIONS), st.sampled_from(SOURCES)),
    st.tuples(st.just("incident"), st.sampled_from(STATIONS), st.booleans()),
)


def play(steps: list[tuple], double_entry: bool) -> Ledger:  # type: ignore[type-arg]
    e = (
        ELECTION
        if not double_entry
        else small_election(
            layout={"North": {"N1": 2, "N2": 1}, "South": {"S1": 2, "S2": 1}}, double_entry=True
        )
    )
    led = Ledger(e)
    made: list[str] = []
    revoked: set[str] = set()
    for n, s in enumerate(steps):
        if s[0] == "protocol":
            led.record(protocol(s[1], s[2], against_all=1, source=s[3]))
        elif s[0] in ("annul", "certify"):
            did = f"D{n}"
            led.decide(did, s[0], *s[1])
            made.append(did)
        elif s[0] == "revoke" and made:
            target = made[s[1] % len(made)]
            if target not in revoked:  # the commission refuses a second revocation
                revoked.add(target)
                led.revoke(f"R{n}", target)
        elif s[0] == "resolve":
            led.add(RECONCILIATION_RESOLVED, {"station": s[1], "accepted_source": s[2]})
        elif s[0] == "incident":
            led.add(INCIDENT_REPORTED, {"incident_id": f"I{s[1]}", "station": s[1]})
            if s[2]:
                led.add(INCIDENT_UPDATED, {"incident_id": f"I{s[1]}", "status": "dismissed"})
    return led


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=40), st.booleans(), st.booleans())
def test_rebuild_equals_incremental(steps: list[tuple], double_entry: bool, bulk: bool) -> None:  # type: ignore[type-arg]
    led = play(steps, double_entry)
    incremental = Tally(led.election)
    saved = projection._BULK
    projection._BULK = 0 if bulk else saved  # also take the path large decisions take
    try:
        for ev in led.events:
            incremental.apply(ev)
    finally:
        projection._BULK = saved
    rebuilt = Tally.rebuild(led.election, led.events)
    assert rebuilt.state() == incremental.state()
    for level in ("nation", "region", "district", "station"):
        assert incremental.units(level) == rebuilt.units(level)
        assert incremental.units(level, as_reported=True) == rebuilt.units(level, as_reported=True)
    # the sums are the sums of the stations' counted protocols
    nation = incremental.unit("nation")
    counted = list(incremental.current_protocols())
    for p in PARTIES:
        assert nation.votes[p] == sum(c.votes.get(p, 0) for c in counted)
    assert nation.stations_reported == len(counted)
