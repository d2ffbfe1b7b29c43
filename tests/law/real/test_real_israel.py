"""Golden test: Israel, 20th Knesset, 17 March 2015 -- the 3.25 % threshold and D'Hondt.

Law: Knesset Elections Law (consolidated version) 5729-1969, § 81: lists with less than 3.25 %
of the valid votes take no seat; the 120 seats go to the other lists by the Bader-Ofer method,
which is D'Hondt in which two lists that signed a surplus-vote agreement count as one list in
the first division and then split their seats between them by D'Hondt.

Figures: IFES ElectionGuide, election 2828 ("Election Results Modified: Mar 30, 2015", after
the Central Elections Committee's official result of 25 March): valid votes 4,210,884; the ten
lists that passed, Yachad 125,158 (2.97 %) and Ale Yarok 47,180, the largest lists that did not.
Declared seats (Central Elections Committee, as reported by the Israeli Ministry of Foreign
Affairs and IFES): Likud 30, Zionist Union 24, Joint List 13, Yesh Atid 11, Kulanu 10, Jewish
Home 8, Shas 7, United Torah Judaism 6, Yisrael Beiteinu 6, Meretz 5.

Restriction, stated: the surplus-vote agreements (Bader-Ofer) are out of the engine's scope.
The threshold is reproduced exactly; plain D'Hondt gives the declared seats to eight of the ten
lists, and the test pins down the one seat the agreements moved (Joint List, which had no
agreement, 14 -> 13; Kulanu 9 -> 10), so that a change in the engine cannot hide behind it. The
lists below Ale Yarok (each under 0.2 %) enter only through the valid-vote total, carried on the
``against_all`` line so that the base is exactly 4,210,884.
"""

from __future__ import annotations

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law

VALID = 4_210_884
IL_2015 = {
    "Likud": 985_408,
    "Zionist Union": 786_313,
    "Joint List": 446_583,
    "Yesh Atid": 371_602,
    "Kulanu": 315_360,
    "Jewish Home": 283_910,
    "Shas": 241_613,
    "Yisrael Beiteinu": 214_906,
    "United Torah Judaism": 210_143,
    "Meretz": 165_529,
    "Yachad": 125_158,
    "Ale Yarok": 47_180,
}
DECLARED = {
    "Likud": 30,
    "Zionist Union": 24,
    "Joint List": 13,
    "Yesh Atid": 11,
    "Kulanu": 10,
    "Jewish Home": 8,
    "Shas": 7,
    "Yisrael Beiteinu": 6,
    "United Torah Judaism": 6,
    "Meretz": 5,
}
LAW = 'name = "Knesset 2015 without surplus agreements"\nseats = 120\nmethod = "Jefferson"\n'
LAW += 'threshold = 0.0325\nthreshold_base = "valid votes"\n'


def test_israel_2015_threshold_and_dhondt() -> None:
    totals = VoteTotals(IL_2015, against_all=VALID - sum(IL_2015.values()))
    alloc = allocate(parse_law(LAW, source="il-2015.toml"), totals)
    assert alloc.ties == []
    assert alloc.qualified == list(DECLARED)
    assert alloc.excluded["Yachad"].startswith("2.97 % of valid votes (125,158 of 4,210,884)")
    assert any(n.startswith("threshold 0.0325 read as 3.25 %") for n in alloc.notes)
    won = {p: s for p, s in alloc.seats.items() if s}
    # the surplus-vote agreements moved exactly one seat; everything else is as declared
    assert won == {**DECLARED, "Joint List": 14, "Kulanu": 9}
