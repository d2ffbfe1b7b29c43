"""Golden test: Norway, Storting election of 11 September 2017, the 150 constituency seats.

Each of the 19 counties is a district whose seats, all but its one levelling seat, are divided
by modified Sainte-Laguë with first divisor 1.4 among every list that stood there, with no
threshold (Election Act 2002 § 11-4; equal quotients go to the list with more votes, then a
lot -- the engine's ``more-votes-then-lot``). The levelling seats (one per county, 4 % national
threshold, § 11-5 to 11-7) are a second tier the engine does not model; the declared
constituency seats are the declared seats minus the levelling seat.

Votes and seats: Norwegian Directorate of Elections (valgresultat.no, 2017 Storting election,
final count), transcribed in data/no_storting_2017.csv with every list in every county.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law

DATA = Path(__file__).parent / "data" / "no_storting_2017.csv"


def _load() -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
    votes: dict[str, dict[str, int]] = defaultdict(dict)
    declared: dict[str, dict[str, int]] = defaultdict(dict)
    with DATA.open(encoding="utf-8") as f:
        rows = [r for r in csv.reader(f, delimiter=";") if r and not r[0].startswith("#")]
    for county, party, v, seats, levelling in rows[1:]:
        votes[county][party] = int(v)
        declared[county][party] = int(seats) - int(levelling)
    return votes, declared


def _law(seats: dict[str, int], first_divisor: str = "1.4") -> str:
    lines = [
        'name = "Norway 2017, Storting constituency seats"',
        'method = "Modified Sainte-Laguë"',  # written as a stranger would
        f"first_divisor = {first_divisor}",
        'ties = "more-votes-then-lot"',
        "[constituencies]",  # another name for [districts]
    ]
    lines += [f'"{county}" = {n}' for county, n in seats.items()]
    return "\n".join(lines) + "\n"


def test_norway_2017_every_county_as_declared() -> None:
    votes, declared = _load()
    seats = {c: sum(d.values()) for c, d in declared.items()}
    assert len(seats) == 19 and sum(seats.values()) == 150  # 169 minus 19 levelling seats
    law = parse_law(_law(seats), source="norway-2017.toml")
    assert law.method == "modified-sainte-lague" and str(law.first_divisor) == "7/5"
    districts = {c: VoteTotals(v) for c, v in votes.items()}
    alloc = allocate(law, VoteTotals({}), districts=districts)
    assert alloc.ties == []
    for county in votes:
        won = {p: s for p, s in alloc.districts[county].seats.items() if s}
        assert won == {p: s for p, s in declared[county].items() if s}, county
    # national totals: Labour 49 (no levelling seat), Conservatives 45 of which 3 levelling
    assert alloc.seats["A"] == 49 and alloc.seats["H"] == 45 - 3


def test_norway_2017_the_first_divisor_decides_seats() -> None:
    # With plain Sainte-Laguë (first divisor 1) small lists would take seats the law denies
    # them: the 1.4 is not decoration. At least one county comes out differently.
    votes, declared = _load()
    seats = {c: sum(d.values()) for c, d in declared.items()}
    plain = parse_law(_law(seats, first_divisor="1"), source="plain.toml")
    alloc = allocate(plain, VoteTotals({}), districts={c: VoteTotals(v) for c, v in votes.items()})
    differ = [
        c
        for c in votes
        if {p: s for p, s in alloc.districts[c].seats.items() if s}
        != {p: s for p, s in declared[c].items() if s}
    ]
    assert differ, "plain Sainte-Laguë gave the declared seats everywhere"
