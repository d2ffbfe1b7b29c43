"""Unit tests of the law engine: law files, thresholds, cap, ties, districts, JSON."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, load_law, parse_law
from shailoo.law.ties import lot_key


def law(body: str, name: str = "t") -> object:
    return parse_law(f'name = "{name}"\n{body}', source="t.toml")


def seats_of(text: str, votes: dict[str, int], **kw: object) -> dict[str, int]:
    return allocate(parse_law(f'name = "t"\n{text}'), VoteTotals(votes), **kw).seats  # type: ignore[arg-type]


# --- law files --------------------------------------------------------------------------


def test_numbers_are_exact_never_float() -> None:
    lw = parse_law('name = "n"\nseats = 5\nmethod = "modified-sainte-lague"\nfirst_divisor = 1.4\n')
    assert lw.first_divisor == Fraction(7, 5)
    lw = parse_law(
        'name = "n"\nseats = 5\nmethod = "modified-sainte-lague"\nfirst_divisor = "6/5"\n'
    )
    assert lw.first_divisor == Fraction(6, 5)
    for written, share in (
        ('"7%"', Fraction(7, 100)),
        ("7", Fraction(7, 100)),
        ("7.0", Fraction(7, 100)),
        ('"0.7 %"', Fraction(7, 1000)),
        ("0.1", Fraction(1, 10)),  # a bare number below 1 is a fraction of one
        ("0.05", Fraction(5, 100)),
        ('"0.05"', Fraction(5, 100)),
        ("1", Fraction(1, 100)),
        ('"0.5%"', Fraction(5, 1000)),
    ):
        lw = parse_law(f'name = "n"\nseats = 5\nmethod = "hare"\nthreshold = {written}\n')
        assert lw.threshold == share, written


def test_default_first_divisor_is_seven_fifths() -> None:
    lw = parse_law('name = "n"\nseats = 5\nmethod = "modified-sainte-lague"\n')
    assert lw.first_divisor == Fraction(7, 5)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ('seats = 5\nmethod = "hamiltonian"', "method"),
        ('seats = 0\nmethod = "hare"', "seats"),
        ('method = "hare"', "seats"),
        ('seats = 5\nmethod = "dhondt"\nfirst_divisor = 1.4', "first_divisor"),
        ('seats = 5\nmethod = "hare"\nthreshold = "107%"', "threshold"),
        ('seats = 5\nmethod = "hare"\nthreshold = "seven"', "threshold"),
        ('seats = 5\nmethod = "hare"\nthreshold_base = "people"', "threshold_base"),
        ('seats = 5\nmethod = "hare"\nties = "coin"', "ties"),
        ('seats = 5\nmethod = "hare"\nthreshhold = 5', "unknown key"),
        ('seats = 5\nmethod = "hare"\n[districts]\nA = 2\nB = 2', "districts add up"),
        ("seats = [5\n", "TOML"),
    ],
)
def test_bad_law_files_say_which_key(body: str, words: str) -> None:
    with pytest.raises(LawError) as err:
        parse_law(f'name = "bad"\n{body}\n', source="bad.toml")
    assert "bad.toml" in str(err.value) and words in str(err.value)


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(LawError, match="kg-2020"):
        load_law("kg-1999")


def test_needed_bases() -> None:
    assert load_law("kg-2020").needed_bases() == {"ballots_cast"}
    assert load_law("kg-2010").needed_bases() == {"registered"}
    lw = parse_law(
        'name = "n"\nseats = 5\nmethod = "hare"\nthreshold = 5\nthreshold_base = "valid"\n'
    )
    assert lw.needed_bases() == {"against_all"}
    assert parse_law('name = "n"\nseats = 5\nmethod = "hare"\n').needed_bases() == set()


def test_law_keeps_its_text() -> None:
    text = 'name = "n"\nseats = 5\nmethod = "hare"\n'
    assert parse_law(text).text == text


# --- methods ------------------------------------------------------------------------------


def test_droop_quota_is_whole_and_hb_exact() -> None:
    from shailoo.law.quotas import quota

    assert quota("droop", 25_000, 4) == 5_001  # floor(25000 / 5) + 1
    assert quota("hagenbach-bischoff", 100, 2) == Fraction(100, 3)
    assert quota("imperiali", 100, 2) == 25
    assert quota("hare", 100, 3) == Fraction(100, 3)


def test_largest_remainder_methods_differ_where_they_should() -> None:
    # 10 seats, 10,000 votes. Hare quota 1,000: whole 5+2+1+0, remainders 400/700/300/600, so
    # B and D take the two seats left. Droop quota floor(10000/11)+1 = 910: whole 5+2+1+0,
    # remainders 850/880/390/600, so B and A take them.
    votes = {"A": 5_400, "B": 2_700, "C": 1_300, "D": 600}
    assert seats_of('seats = 10\nmethod = "hare"', votes) == {"A": 5, "B": 3, "C": 1, "D": 1}
    assert seats_of('seats = 10\nmethod = "droop"', votes) == {"A": 6, "B": 3, "C": 1, "D": 0}
    assert seats_of('seats = 10\nmethod = "dhondt"', votes) == {"A": 6, "B": 3, "C": 1, "D": 0}


def test_imperiali_overallocation_is_taken_back_from_smallest_remainders() -> None:
    # quota 100 / (2 + 2) = 25: whole quotas give 2 + 2 = 4 seats of 2
    alloc = allocate(
        parse_law('name = "i"\nseats = 2\nmethod = "imperiali"'), VoteTotals({"A": 50, "B": 50})
    )
    assert alloc.seats == {"A": 1, "B": 1}
    assert any(s["step"] == "overallocation" for s in alloc.steps)
    alloc = allocate(
        parse_law('name = "i"\nseats = 3\nmethod = "imperiali"'), VoteTotals({"A": 70, "B": 30})
    )
    # quota 20: A 3 rem 10, B 1 rem 10 -> 4 seats; one taken back, equal remainders: a tie
    assert sum(alloc.seats.values()) == 3
    assert alloc.ties and alloc.ties[0].stage == "overallocation"
    assert alloc.ties[0].decided_by == "more votes"  # fewer votes gives the seat back
    assert alloc.seats == {"A": 3, "B": 0}


def test_first_divisor_matters() -> None:
    # Sainte-Laguë, 4 seats: 9000, 9000/3 = 3000, 2000 (B), 1900 (C) -> A 2, B 1, C 1.
    # First divisor 1.4: 9000/1.4 = 6429, 3000, 9000/5 = 1800, 2000/1.4 = 1429 (C: 1357) -> C none.
    votes = {"A": 9_000, "B": 2_000, "C": 1_900}
    pure = seats_of('seats = 4\nmethod = "sainte-lague"', votes)
    mod = seats_of('seats = 4\nmethod = "modified-sainte-lague"\nfirst_divisor = 1.4', votes)
    assert pure == {"A": 2, "B": 1, "C": 1}
    assert mod == {"A": 3, "B": 1, "C": 0}


# --- thresholds --------------------------------------------------------------------------


def test_threshold_is_inclusive_exactly_at_the_line() -> None:
    text = 'seats = 10\nmethod = "hare"\nthreshold = "7%"\nthreshold_base = "ballots_cast"'
    lw = parse_law(f'name = "t"\n{text}')
    at = allocate(lw, VoteTotals({"A": 900, "B": 70}, ballots_cast=1_000))
    assert "B" in at.qualified
    below = allocate(lw, VoteTotals({"A": 900, "B": 69}, ballots_cast=1_000))
    assert "B" in below.excluded and "6.90 %" in below.excluded["B"]


def test_base_valid_counts_against_all() -> None:
    text = 'seats = 10\nmethod = "hare"\nthreshold = 5\nthreshold_base = "valid"'
    lw = parse_law(f'name = "t"\n{text}')
    # party votes 1000, against all 100: B has 50 / 1100 = 4.5 % -> out; on party votes 5 % -> in
    alloc = allocate(lw, VoteTotals({"A": 950, "B": 50}, against_all=100))
    assert alloc.qualified == ["A"]
    with pytest.raises(LawError, match="against-all"):
        allocate(lw, VoteTotals({"A": 950, "B": 50}))


def test_regional_threshold_each_region_on_its_own_base() -> None:
    lw = load_law("kg-2020")
    regions = {
        "Bishkek": VoteTotals({"A": 400, "B": 400, "C": 200}, ballots_cast=1_000),
        # C has 6 of 1,000 ballots here: 0.6 % < 0.7 %
        "Talas": VoteTotals({"A": 600, "B": 394, "C": 6}, ballots_cast=1_000),
    }
    national = VoteTotals({"A": 1_000, "B": 794, "C": 206}, ballots_cast=2_000)
    alloc = allocate(lw, national, regions)
    assert "C" in alloc.excluded and "Talas" in alloc.excluded["C"]
    assert "regional" in alloc.excluded["C"] and "Bishkek" not in alloc.excluded["C"]
    assert not any("not checked" in n for n in alloc.notes)
    # exactly 0.7 % passes
    regions["Talas"] = VoteTotals({"A": 600, "B": 393, "C": 7}, ballots_cast=1_000)
    national = VoteTotals({"A": 1_000, "B": 793, "C": 207}, ballots_cast=2_000)
    assert "C" in allocate(lw, national, regions).qualified


# --- cap ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["hare", "dhondt"])
def test_cap_exactly_reached_changes_nothing(method: str) -> None:
    votes = {"A": 600, "B": 300, "C": 100}
    free = seats_of(f'seats = 10\nmethod = "{method}"', votes)
    assert free["A"] == 6
    capped = allocate(
        parse_law(f'name = "c"\nseats = 10\nmethod = "{method}"\nmax_seats_per_party = 6'),
        VoteTotals(votes),
    )
    assert capped.seats == free and capped.capped == []


@pytest.mark.parametrize(
    ("method", "expected"),
    [("hare", {"A": 5, "B": 4, "C": 1}), ("dhondt", {"A": 5, "B": 4, "C": 1})],
)
def test_cap_one_above_passes_the_seat_on_by_the_same_method(
    method: str, expected: dict[str, int]
) -> None:
    votes = {"A": 600, "B": 300, "C": 100}
    alloc = allocate(
        parse_law(f'name = "c"\nseats = 10\nmethod = "{method}"\nmax_seats_per_party = 5'),
        VoteTotals(votes),
    )
    assert alloc.seats == expected
    assert alloc.capped == ["A"]
    assert any(s["step"] == "cap" for s in alloc.steps)


def test_cap_that_cannot_be_met_is_an_error() -> None:
    with pytest.raises(LawError, match="cap"):
        allocate(
            parse_law('name = "c"\nseats = 10\nmethod = "hare"\nmax_seats_per_party = 4'),
            VoteTotals({"A": 600, "B": 400}),
        )


# --- ties -----------------------------------------------------------------------------


def test_tie_more_votes_decides_then_recorded() -> None:
    # D'Hondt, 2 seats: A 10 -> seat; then A 10/2 = 5 and B 5/1 = 5 tie for one seat
    alloc = allocate(
        parse_law('name = "t"\nseats = 2\nmethod = "dhondt"'), VoteTotals({"A": 10, "B": 5})
    )
    assert alloc.seats == {"A": 2, "B": 0}
    (tie,) = alloc.ties
    assert tie.parties == ("A", "B") and tie.seats == 1 and tie.value == 5
    assert tie.decided_by == "more votes" and tie.seed is None
    assert alloc.to_json()["ties"][0]["winners"] == ["A"]  # type: ignore[index]


def test_tie_by_lot_is_reproducible_from_the_seed() -> None:
    text = 'name = "t"\nseats = 1\nmethod = "hare"\nties = "lot"\nseed = 42'
    alloc = allocate(parse_law(text), VoteTotals({"A": 5, "B": 5, "C": 5}))
    (tie,) = alloc.ties
    expected = min("ABC", key=lambda p: lot_key(42, p))
    assert tie.winners == (expected,) and alloc.seats[expected] == 1
    assert tie.seed == 42 and alloc.seed == 42 and alloc.to_json()["seed"] == 42
    again = allocate(parse_law(text), VoteTotals({"A": 5, "B": 5, "C": 5}))
    assert again.seats == alloc.seats


def test_lot_without_seed_says_seed_zero() -> None:
    alloc = allocate(
        parse_law('name = "t"\nseats = 1\nmethod = "hare"'), VoteTotals({"A": 5, "B": 5})
    )
    assert alloc.ties[0].decided_by == "more votes, then lot"
    assert any("seed 0" in n for n in alloc.notes)


def test_equal_claims_that_all_win_are_not_a_tie() -> None:
    alloc = allocate(
        parse_law('name = "t"\nseats = 4\nmethod = "dhondt"'), VoteTotals({"A": 5, "B": 5})
    )
    assert alloc.seats == {"A": 2, "B": 2} and alloc.ties == []


# --- districts ------------------------------------------------------------------------------


def test_districts_each_on_its_own_threshold_and_summed() -> None:
    text = 'name = "d"\nmethod = "dhondt"\nthreshold = "3%"\n[districts]\nNorth = 3\nSouth = 2\n'
    lw = parse_law(text)
    assert lw.seats == 5
    districts = {
        "North": VoteTotals({"A": 600, "B": 380, "C": 20}),  # C 2 % < 3 %: out here
        "South": VoteTotals({"A": 50, "B": 350, "C": 600}),
    }
    alloc = allocate(lw, VoteTotals({"A": 650, "B": 730, "C": 620}), districts=districts)
    assert alloc.districts["North"].seats == {"A": 2, "B": 1, "C": 0}
    assert alloc.districts["South"].seats == {"A": 0, "B": 1, "C": 1}
    assert alloc.seats == {"A": 2, "B": 2, "C": 1}
    assert "C" in alloc.districts["North"].excluded
    assert "C" in alloc.qualified  # qualified in the South
    with pytest.raises(LawError, match="South"):
        allocate(lw, VoteTotals({}), districts={"North": districts["North"]})


# --- output ------------------------------------------------------------------------------


def test_to_json_shape_and_json_safe() -> None:
    alloc = allocate(
        load_law("kg-2020"), VoteTotals({"A": 450, "B": 450, "C": 10}, ballots_cast=1_000)
    )
    out = alloc.to_json()
    assert {"seats", "qualified", "excluded", "quota", "ties", "steps"} <= set(out)
    json.dumps(out)
    assert out["quota"] == "15/2"  # 900 votes / 120 seats
    assert isinstance(out["excluded"], dict) and "C" in out["excluded"]


def test_negative_votes_are_refused() -> None:
    with pytest.raises(LawError, match="negative"):
        allocate(load_law("kg-2020"), VoteTotals({"A": -1, "B": 5}, ballots_cast=10))


def test_no_party_passing_is_an_error() -> None:
    with pytest.raises(LawError, match="no party passes"):
        allocate(load_law("kg-2020"), VoteTotals({"A": 1, "B": 1}, ballots_cast=1_000))
