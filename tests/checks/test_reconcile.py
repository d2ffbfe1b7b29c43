"""Reconciliation of several protocols of one station: every planted difference, nothing else."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.checks.reconcile import (
    Difference,
    LowerBound,
    Shortfall,
    check_lower_bound,
    compare_protocols,
    reconcile_station,
)
from shailoo.domain.model import Protocol

PARTIES = ("ak", "bir", "jol", "mek")
BASE_LINES = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)

counts = st.integers(min_value=0, max_value=5000)


@st.composite
def protocols(draw: st.DrawFn) -> Protocol:
    """Any protocol of station S1 (internal consistency is not reconciliation's business)."""
    return Protocol(
        station="S1",
        registered=draw(counts),
        ballots_received=draw(counts),
        ballots_issued=draw(counts),
        ballots_cast=draw(counts),
        invalid=draw(counts),
        against_all=draw(counts),
        votes={p: draw(counts) for p in PARTIES},
    )


def _with(p: Protocol, line: str, value: int, source: str) -> Protocol:
    if line in PARTIES:
        votes = dict(p.votes)
        votes[line] = value
        return replace(p, votes=votes, source=source)
    return replace(p, **{line: value}, source=source)


@given(protocols(), st.sampled_from(["second-entry", "machine", "observer:o1"]))
def test_identical_copies_flag_nothing(p: Protocol, source: str) -> None:
    copy = replace(p, source=source, entered_by="someone else", reason="copy")
    assert compare_protocols(p, copy) == []
    rec = reconcile_station([p, copy])
    assert not rec.disputed and not rec.differing and rec.lines == ()


@given(
    protocols(),
    st.dictionaries(st.sampled_from(BASE_LINES + PARTIES), st.integers(1, 100), min_size=1),
)
def test_every_planted_difference_is_found_with_both_values(
    p: Protocol, planted: dict[str, int]
) -> None:
    copy = p
    for line, delta in planted.items():
        copy = _with(copy, line, p.counts()[line] + delta, "observer:o7")
    diffs = compare_protocols(p, copy)
    assert {d.line for d in diffs} == set(planted)
    for d in diffs:
        assert d.a == p.counts()[d.line]
        assert d.b == p.counts()[d.line] + planted[d.line]
        assert d.rule == "R001"
    rec = reconcile_station([p, copy])
    assert rec.disputed and set(rec.lines) == set(planted)
    assert rec.comparisons[0].source == "observer:o7"


def test_a_missing_party_line_is_reported_as_missing() -> None:
    p = Protocol("S1", 100, 100, 80, 80, 1, 1, {"ak": 40, "bir": 38})
    q = replace(p, votes={"ak": 40}, source="machine")
    assert compare_protocols(p, q) == [Difference("bir", 38, None)]
    assert compare_protocols(p, q)[0].rule == "R002"


def test_reference_is_the_official_copy_and_resolution_ends_the_dispute() -> None:
    official = Protocol("S1", 100, 100, 80, 80, 1, 1, {"ak": 40, "bir": 38})
    second = replace(official, source="second-entry")
    observer = _with(official, "ak", 50, "observer:o1")
    rec = reconcile_station([observer, second, official])
    assert rec.reference == "official"
    by_source = {c.source: c.differences for c in rec.comparisons}
    assert by_source == {"second-entry": (), "observer:o1": (Difference("ak", 40, 50),)}
    assert rec.disputed
    resolved = reconcile_station([observer, second, official], resolved_by="official")
    assert resolved.differing and not resolved.disputed
    assert rec.to_dict()["comparisons"][1]["differences"] == [
        {"line": "ak", "a": 40, "b": 50, "rule": "R001"}
    ]


def test_several_stations_are_refused() -> None:
    a = Protocol("S1", 1, 1, 1, 1, 0, 0, {"ak": 1})
    with pytest.raises(ValueError, match="several stations"):
        reconcile_station([a, replace(a, station="S2")])


@given(
    st.dictionaries(st.sampled_from(PARTIES), counts, min_size=1),
    st.dictionaries(st.sampled_from(PARTIES), counts, min_size=1),
)
def test_lower_bound_flags_exactly_the_lines_below_the_floor(
    official: dict[str, int], floor: dict[str, int]
) -> None:
    found = check_lower_bound(official, LowerBound("S1", "observer:voice", floor))
    expected = {line for line, v in floor.items() if line in official and official[line] < v}
    assert {s.line for s in found} == expected
    for s in found:
        assert s.missing == floor[s.line] - official[s.line] > 0
        assert s.rule == "R101"


def test_lower_bound_above_official_disputes_the_station_but_equal_does_not() -> None:
    official = Protocol("S1", 100, 100, 80, 80, 1, 1, {"ak": 40, "bir": 38})
    ok = LowerBound("S1", "observer:voice", {"ak": 40, "bir": 2})
    bad = LowerBound("S1", "observer:voice", {"ak": 41})
    assert not reconcile_station([official], [ok]).disputed
    rec = reconcile_station([official], [bad])
    assert rec.disputed
    assert rec.shortfalls == {"observer:voice": (Shortfall("ak", 40, 41),)}
    assert "observer:voice" in rec.sources
