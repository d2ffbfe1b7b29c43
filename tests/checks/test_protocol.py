"""Each protocol check fires on the case it names, and a clean protocol has no finding."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.checks import CODES, check_protocol
from shailoo.checks.protocol import added_voters_allowance, check_units
from shailoo.domain.model import Election, Party, Protocol, Station

ELECTION = Election(
    id="t",
    name="T",
    law="",
    law_name="t",
    parties=(Party("a", "A"), Party("b", "B")),
    stations=(Station("1", "r", "d", 1000),),
)
GOOD = Protocol(
    station="1",
    registered=1000,
    ballots_received=1000,
    ballots_issued=600,
    ballots_cast=590,
    invalid=10,
    against_all=20,
    votes={"a": 300, "b": 260},
)


def codes(p: Protocol, previous: Protocol | None = None) -> list[str]:
    return [f.code for f in check_protocol(p, ELECTION, previous)]


def test_clean_protocol_has_no_finding() -> None:
    assert codes(GOOD) == []


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"invalid": -1}, "P001"),
        ({"station": "404"}, "P002"),
        ({"votes": {"a": 300}}, "P003"),
        ({"votes": {"a": 300, "b": 260, "zz": 0}}, "P004"),
        ({"source": "rumour"}, "P005"),
        ({"ballots_cast": 591, "ballots_issued": 600}, "P101"),
        ({"ballots_issued": 589}, "P102"),
        ({"ballots_received": 599}, "P103"),
        ({"registered": 580, "ballots_cast": 590}, "P104"),
        ({"registered": 1100, "ballots_received": 1100}, "P105"),
        ({"registered": 1040}, "P106"),
        ({"registered": 589}, "P107"),
        ({"registered": 610}, "P108"),
    ],
)
def test_each_check_fires(change: dict[str, object], code: str) -> None:
    p = replace(GOOD, **change)  # type: ignore[arg-type]
    found = check_protocol(p, ELECTION)
    assert code in [f.code for f in found]
    f = next(f for f in found if f.code == code)
    assert f.severity == CODES[code][0]
    assert f.message


def test_sum_rule_reports_the_numbers() -> None:
    f = check_protocol(replace(GOOD, ballots_cast=595, ballots_issued=600), ELECTION)[0]
    assert f.code == "P101" and f.column == "ballots_cast"
    assert f.values["difference"] == 5 and f.values["party_votes"] == 560


def test_correction_needs_a_reason() -> None:
    changed = replace(GOOD, votes={"a": 299, "b": 261})
    assert "P201" in codes(changed, previous=GOOD)
    assert "P201" not in codes(replace(changed, reason="recount ordered"), previous=GOOD)
    assert "P201" not in codes(GOOD, previous=GOOD)  # same numbers: a duplicate, not a correction


def test_added_voters_allowance() -> None:
    assert added_voters_allowance(1000) == 50
    assert added_voters_allowance(20) == 10  # small stations: at least 10
    assert added_voters_allowance(1001) == 51  # rounded up


def test_turnout_thresholds_exact() -> None:
    # 95 % exactly is not above 95 %; one more ballot is
    at = replace(
        GOOD,
        registered=1000,
        ballots_received=1000,
        ballots_issued=950,
        ballots_cast=950,
        invalid=10,
        against_all=20,
        votes={"a": 500, "b": 420},
    )
    assert "P108" not in codes(at)
    assert "P108" in codes(replace(at, ballots_issued=951, ballots_cast=951, invalid=11))


@given(
    a=st.integers(0, 500),
    b=st.integers(0, 500),
    inv=st.integers(0, 50),
    aa=st.integers(0, 50),
    spare=st.integers(0, 30),
    extra=st.integers(0, 30),
)
def test_consistent_protocols_pass(
    a: int, b: int, inv: int, aa: int, spare: int, extra: int
) -> None:
    cast = a + b + inv + aa
    registered = max(1000, cast * 100 // 90 + 1)
    election = replace(ELECTION, stations=(Station("1", "r", "d", registered),))
    p = Protocol(
        "1", registered, cast + spare + extra, cast + spare, cast, inv, aa, {"a": a, "b": b}
    )
    assert [f.code for f in check_protocol(p, election) if f.is_error] == []


def test_check_units_names_column_and_both_values() -> None:
    units = {"5101": ("Чуй", "Аламүдүн")}
    assert check_units("5101", "Чуй", "Аламүдүн", units) == []
    assert check_units("5101", None, None, units) == []  # the file gives no units
    assert check_units("9999", "Ош", "Кара-Суу", units) == []  # unknown station: P002's job
    (region,) = check_units("5101", "Ош", None, units)
    assert (region.code, region.severity, region.column) == ("P006", "error", "region")
    assert dict(region.values) == {"station": "5101", "in_file": "Ош", "in_election": "Чуй"}
    both = check_units("5101", "Ош", "Кара-Суу", units)
    assert [f.column for f in both] == ["region", "district"]
    assert "P006" in CODES and CODES["P006"][0] == "error"
