"""Golden test where the quota decides: a Hagenbach-Bischoff election that Hare would get wrong.

Slovakia, National Council, 30 September 2023: 150 seats in one national district. The
republic electoral number is the valid votes of the lists that passed 5 % divided by 151
(seats + 1: Hagenbach-Bischoff; Act 180/2014 Coll., § 66); each list gets one seat per whole
electoral number, the seats left go to the largest remainders.

Votes of the seven lists that passed (the only ones in the division): IFES ElectionGuide
(electionguide.org, election 4119, "Election Results Modified: Oct 03, 2023") and the digest of
the official result at ispd.org.cy/slovakia-6323, which agree; ElectionGuide labels the 166,995 row "People's Party
Our Slovakia", the official result and TASR give it to the Slovak National Party (5.62 %).
Declared seats: State Commission for Elections, confirmed on 1 October 2023 (TASR, "Smer-SD
official winner of general election"): Smer-SD 42, PS 32, Hlas-SD 27, OĽaNO and Friends 16,
KDH 12, SaS 11, SNS 10.
"""

from __future__ import annotations

from fractions import Fraction

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law

SK_2023_QUALIFIED = {
    "Smer-SD": 681_017,
    "PS": 533_136,
    "Hlas-SD": 436_415,
    "OĽaNO a priatelia": 264_137,
    "KDH": 202_515,
    "SaS": 187_645,
    "SNS": 166_995,
}
SK_2023_DECLARED = {
    "Smer-SD": 42,
    "PS": 32,
    "Hlas-SD": 27,
    "OĽaNO a priatelia": 16,
    "KDH": 12,
    "SaS": 11,
    "SNS": 10,
}


def _seats(method: str) -> tuple[dict[str, int], object]:
    law = parse_law(f'name = "SK 2023"\nseats = 150\nmethod = "{method}"\n', source="sk.toml")
    alloc = allocate(law, VoteTotals(SK_2023_QUALIFIED))
    assert alloc.ties == []
    return {p: s for p, s in alloc.seats.items() if s}, alloc.quota


def test_slovakia_2023_hagenbach_bischoff_as_declared() -> None:
    seats, quota = _seats("hagenbach_bischoff")  # written with an underscore, as strangers do
    assert seats == SK_2023_DECLARED
    assert quota == Fraction(sum(SK_2023_QUALIFIED.values()), 151)


def test_slovakia_2023_droop_agrees() -> None:
    seats, quota = _seats("droop")
    assert seats == SK_2023_DECLARED
    assert quota == sum(SK_2023_QUALIFIED.values()) // 151 + 1


def test_slovakia_2023_hare_would_move_a_seat_from_smer_to_sas() -> None:
    # The quota is not a detail: with votes / 150 Smer-SD has a smaller remainder than SaS and
    # the last seat changes hands. The engine must follow the law's quota, not a default.
    seats, _ = _seats("Hare-Niemeyer")
    assert seats == {**SK_2023_DECLARED, "Smer-SD": 41, "SaS": 12}
