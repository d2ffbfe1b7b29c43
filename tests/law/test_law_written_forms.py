"""Law files written by other people: thresholds as fractions or percentages, caps as shares,
aliases of keys, methods and bases, and the two forms of ``[districts]``."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, load_law, parse_law


def law_with(line: str, method: str = "hare", seats: int = 10) -> object:
    return parse_law(f'name = "n"\nseats = {seats}\nmethod = "{method}"\n{line}\n', source="w.toml")


def decimal_text(d: Decimal) -> str:
    text = format(d, "f")
    return text if "." in text else text + ".0"


# --- thresholds ---------------------------------------------------------------------------

# a national threshold between 1 % and 99.99 %, in hundredths of a percent
national_hundredths = st.integers(min_value=100, max_value=9_999)


@given(national_hundredths)
def test_each_written_form_of_a_national_threshold_gives_the_same_share(h: int) -> None:
    share = Fraction(h, 10_000)
    pct = Decimal(h) / 100  # e.g. 5.25
    frac = Decimal(h) / 10_000  # e.g. 0.0525
    forms = [
        f'"{pct}%"',
        f'"{pct} %"',
        decimal_text(pct),  # bare percentage from 1 up
        f'"{pct}"',  # text without % follows the bare rule
        decimal_text(frac),  # bare fraction of one below 1
        f'"{frac}"',
    ]
    for form in forms:
        lw = law_with(f"threshold = {form}")
        assert lw.threshold == share, form  # type: ignore[attr-defined]
        assert any("read as" in r for r in lw.readings), form  # type: ignore[attr-defined]


# a regional threshold between 0.1 % and 9.99 %, in hundredths of a percent
regional_hundredths = st.integers(min_value=10, max_value=999)


@given(regional_hundredths)
def test_each_written_form_of_a_regional_threshold_gives_the_same_share(h: int) -> None:
    share = Fraction(h, 10_000)
    pct = Decimal(h) / 100  # e.g. 0.7
    frac = Decimal(h) / 10_000  # e.g. 0.007
    for form in (f'"{pct}%"', decimal_text(pct), f'"{pct}"', decimal_text(frac)):
        lw = law_with(f"regional_threshold = {form}")
        assert lw.regional_threshold == share, form  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "share", "note"),
    [
        ("threshold = 0.05", Fraction(5, 100), "threshold 0.05 read as 5 %"),
        ("threshold = 5", Fraction(5, 100), "threshold 5 read as 5 %"),
        ("threshold = 1", Fraction(1, 100), "threshold 1 read as 1 %"),
        ('threshold = "3%"', Fraction(3, 100), 'threshold "3%" read as 3 %'),
        ("threshold = 0.0325", Fraction(325, 10_000), "threshold 0.0325 read as 3.25 %"),
        ("regional_threshold = 0.007", Fraction(7, 1000), "regional_threshold 0.007 read as 0.7 %"),
        ("regional_threshold = 0.7", Fraction(7, 1000), "regional_threshold 0.7 read as 0.7 %"),
        ("regional_threshold = 0.5", Fraction(5, 1000), "regional_threshold 0.5 read as 0.5 %"),
    ],
)
def test_the_output_says_how_each_threshold_was_read(line: str, share: Fraction, note: str) -> None:
    lw = parse_law(f'name = "n"\nseats = 3\nmethod = "dhondt"\n{line}\n')
    assert (lw.threshold or lw.regional_threshold) == share
    alloc = allocate(lw, VoteTotals({"A": 900, "B": 100}))
    assert any(n.startswith(note) for n in alloc.notes), alloc.notes
    assert any(n.startswith(note) for n in alloc.to_json()["notes"])  # type: ignore[union-attr]


def test_a_threshold_above_100_percent_is_refused() -> None:
    with pytest.raises(LawError, match="threshold"):
        law_with("threshold = 150")


# --- the cap and the first divisor ----------------------------------------------------------


@pytest.mark.parametrize("form", ['"50%"', "0.5", '"0.5"', "27", '"50 %"'])
def test_kg_2021_cap_of_27_of_54_in_every_form(form: str) -> None:
    lw = law_with(f"max_seats_per_party = {form}", seats=54)
    assert lw.max_seats_per_party == 27  # type: ignore[attr-defined]


def test_the_kg_2021_preset_writes_its_cap_as_half_the_seats() -> None:
    lw = load_law("kg-2021")
    assert lw.max_seats_per_party == 27 and lw.max_seats_share == Fraction(1, 2)


def test_a_cap_share_is_rounded_down() -> None:
    # "at most 50 %" of 55 seats is 27.5: a party holding 28 would exceed the share
    assert law_with('max_seats_per_party = "50%"', seats=55).max_seats_per_party == 27  # type: ignore[attr-defined]


@pytest.mark.parametrize("form", ["2.5", '"0%"', "0", '"150%"', "0.01"])
def test_bad_caps_are_refused(form: str) -> None:
    with pytest.raises(LawError, match="max_seats_per_party"):
        law_with(f"max_seats_per_party = {form}", seats=54)


@pytest.mark.parametrize("form", ["1.4", '"7/5"', '"1.4"', '"7 / 5"'])
def test_first_divisor_forms(form: str) -> None:
    lw = law_with(f"first_divisor = {form}", method="modified-sainte-lague")
    assert lw.first_divisor == Fraction(7, 5)  # type: ignore[attr-defined]


# --- aliases and unknown keys -----------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "method"),
    [
        ("D'Hondt", "dhondt"),
        ("d’Hondt", "dhondt"),
        ("dhondt", "dhondt"),
        ("Jefferson", "dhondt"),
        ("Sainte-Laguë", "sainte-lague"),
        ("saint-lague", "sainte-lague"),
        ("Webster", "sainte-lague"),
        ("Hare-Niemeyer", "hare"),
        ("largest-remainder-hare", "hare"),
        ("Hamilton", "hare"),
        ("hagenbach_bischoff", "hagenbach-bischoff"),
        ("DROOP", "droop"),
        ("Modified Sainte-Laguë", "modified-sainte-lague"),
        ("imperiali", "imperiali"),
        ("Imperiali divisor", "imperiali-divisor"),
    ],
)
def test_method_names_are_read_loosely(written: str, method: str) -> None:
    lw = law_with("", method=written)
    assert lw.method == method  # type: ignore[attr-defined]
    if written != method:
        assert any(method in r for r in lw.readings)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("written", "base"),
    [
        ("votes", "party_votes"),
        ("party-votes", "party_votes"),
        ("valid_votes", "valid"),
        ("turnout", "ballots_cast"),
        ("voters", "ballots_cast"),
        ("Registered Voters", "registered"),
    ],
)
def test_threshold_base_aliases(written: str, base: str) -> None:
    lw = law_with(f'threshold = "5%"\nthreshold_base = "{written}"')
    assert lw.threshold_base == base  # type: ignore[attr-defined]
    assert any(f"read as {base!r}" in r for r in lw.readings)  # type: ignore[attr-defined]


def test_key_aliases_are_read_with_a_note() -> None:
    lw = parse_law(
        'title = "n"\ntotal_seats = 4\nformula = "dhondt"\nnational_threshold = "5%"\n'
        'Tie-Break = "lot"\n'
    )
    assert (lw.name, lw.seats, lw.method, lw.ties) == ("n", 4, "dhondt", "lot")
    assert "key 'total_seats' read as 'seats'" in lw.readings


def test_an_alias_and_its_key_together_are_refused() -> None:
    with pytest.raises(LawError, match="both give 'seats'"):
        parse_law('name = "n"\nseats = 4\ntotal_seats = 4\nmethod = "hare"\n', source="x.toml")


def test_a_typo_is_refused_naming_the_key_and_the_valid_keys() -> None:
    with pytest.raises(LawError) as err:
        parse_law('name = "n"\nseats = 4\nmethod = "hare"\nthreshhold = "5%"\n', source="x.toml")
    text = str(err.value)
    assert "x.toml" in text and "'threshhold'" in text
    assert "did you mean 'threshold'" in text and "max_seats_per_party" in text


# --- districts ----------------------------------------------------------------------------


def test_districts_simple_and_table_forms_mix() -> None:
    lw = parse_law(
        'name = "n"\nmethod = "dhondt"\nthreshold = "5%"\n'
        "[districts]\nBrno = 3\n[districts.Prague]\nseats = 4\nthreshold = 0.1\n"
    )
    assert dict(lw.districts or {}) == {"Brno": 3, "Prague": 4} and lw.seats == 7
    assert lw.threshold_of("Prague") == Fraction(1, 10)
    assert lw.threshold_of("Brno") == Fraction(5, 100)
    # A has 9.5 % in Prague: above the 5 % law threshold, below Prague's own 10 %
    prague = VoteTotals({"A": 95, "B": 905})
    brno = VoteTotals({"A": 300, "B": 700})
    alloc = allocate(
        lw, VoteTotals({"A": 395, "B": 1605}), districts={"Prague": prague, "Brno": brno}
    )
    assert alloc.districts["Prague"].seats == {"A": 0, "B": 4}
    assert "10 % district threshold" in alloc.districts["Prague"].excluded["A"]
    assert alloc.districts["Brno"].seats == {"A": 1, "B": 2}


def test_a_district_table_without_seats_or_with_an_unknown_key_is_refused() -> None:
    with pytest.raises(LawError, match="seats"):
        parse_law('name = "n"\nmethod = "dhondt"\n[districts.Prague]\nthreshold = "5%"\n')
    with pytest.raises(LawError, match="'sets'"):
        parse_law('name = "n"\nmethod = "dhondt"\n[districts.Prague]\nsets = 4\n')
