"""Golden test: Czech Chamber of Deputies, 20-21 October 2017 -- districts, D'Hondt, Hare.

Rules (Act 247/1995 Coll. on elections to the Parliament, as applied in 2017):
1. the 200 seats are divided among the 14 regions in proportion to the valid votes cast in each
   (republic mandate number = valid votes / 200, whole quotas, then largest remainders: Hare);
2. parties with at least 5 % of the valid votes nationally take part (§ 49);
3. in each region its seats go to those parties by D'Hondt (§ 50).

Votes per region: Czech Statistical Office, volby.cz, final results (the table below lists every
party in every region). Declared: ANO 78, ODS 25, Piráti 22, SPD 22, ČSSD 15, KSČM 15,
KDU-ČSL 10, TOP 09 7, STAN 6; Prague ANO 6, ODS 5, Piráti 5, TOP 09 3, and one each for SPD,
ČSSD, KSČM, KDU-ČSL and STAN; Karlovy Vary ANO 3, Piráti 1, SPD 1.
"""

from __future__ import annotations

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law

REGIONS = (
    "Praha", "Středočeský", "Jihočeský", "Plzeňský", "Karlovarský", "Ústecký", "Liberecký",
    "Královéhradecký", "Pardubický", "Vysočina", "Jihomoravský", "Olomoucký", "Zlínský",
    "Moravskoslezský",
)  # fmt: skip

TABLE = """
ODS 99182 85415 38232 32833 10796 32197 21468 32242 28313 25989 69319 27266 28752 40944
ŘN-VU 642 1353 557 558 896 631 327 531 509 324 768 426 615 598
CESTA 407 412 255 184 0 234 196 297 355 137 477 282 195 327
ČSSD 34079 43853 23035 21643 8530 22464 11811 18128 19294 24631 49248 22760 20454 48417
PB 491 0 0 0 0 0 0 0 0 0 0 0 0 0
RČ 221 456 439 395 0 0 0 275 258 306 383 307 220 592
STAN 30920 53368 14435 13180 6453 12299 26780 14184 12855 11251 21222 13580 17168 14462
KSČM 28158 47695 29414 23502 9960 33628 13981 19792 20002 24829 46966 26853 20669 47651
Zelení 14686 9415 4326 3321 1549 5013 2907 3650 3261 3204 9147 3588 3685 6583
Rozumní 2600 5081 2435 2395 1231 2920 1719 2388 2429 2070 3781 1942 1747 3790
SPDV 438 0 0 0 0 0 0 0 0 0 0 0 0 0
Svobodní 12857 10679 5303 4138 1544 4595 3152 4310 3998 3565 10421 3963 4812 5892
BPI 472 682 270 328 211 466 192 284 186 235 448 436 299 568
ODA 943 861 613 724 280 811 405 322 385 261 930 448 393 654
Piráti 107590 79815 33143 27201 12264 28004 23859 29932 27146 26086 53207 25955 24859 47332
OBČANÉ-2011 177 0 0 182 0 0 0 0 0 0 0 0 0 0
Unie-H.A.V.E.L. 93 343 0 0 0 0 0 0 0 0 0 0 0 0
ČNF 0 0 0 0 0 0 0 0 0 0 0 0 0 117
Referendum-o-EU 423 546 267 224 153 321 182 276 225 219 532 213 245 450
TOP-09 77325 41843 16713 13095 4495 12336 8825 14308 10864 10163 26356 9903 8443 14142
ANO 124445 189371 91012 84114 43268 127574 62302 88551 79551 75247 159909 95950 84750 194069
DV-2016 358 365 204 0 0 292 269 380 250 0 522 248 184 650
SPRRSČ 539 1204 556 603 343 1275 481 619 480 600 1222 488 477 970
KDU-ČSL 29143 19925 16983 9499 2885 6127 4297 16294 17599 24295 52346 25257 33631 35362
ČSNS 182 219 243 136 0 113 135 0 0 89 173 117 0 166
REAL 5851 4251 3327 2009 799 2048 1290 2037 1492 1562 3849 1678 2138 3664
SPORTOVCI 1243 1152 636 1009 311 476 356 431 564 584 1471 766 537 1057
DSSS 565 1203 762 631 428 1527 374 600 722 556 859 675 417 1083
SPD 35547 59497 31062 28686 15233 42777 22878 28038 26202 25237 67973 41397 38020 76027
SPO 1873 1615 1097 920 513 1558 631 851 1229 1324 1613 1141 1969 2222
NáS 0 0 0 0 0 0 0 0 0 0 300 0 0 0
"""


def _votes() -> dict[str, dict[str, int]]:
    by_region: dict[str, dict[str, int]] = {r: {} for r in REGIONS}
    for line in TABLE.strip().splitlines():
        party, *counts = line.split()
        for region, n in zip(REGIONS, counts, strict=True):
            by_region[region][party] = int(n)
    return by_region


def test_cz_2017_regions_parties_and_seats() -> None:
    votes = _votes()
    # 1. seats per region: Hare largest remainder over the valid votes of each region
    region_law = parse_law('name = "CZ regions"\nseats = 200\nmethod = "hare"\n')
    region_seats = allocate(
        region_law, VoteTotals({r: sum(v.values()) for r, v in votes.items()})
    ).seats
    # the regional breakdowns declared below fix Prague at 24 seats and Karlovy Vary at 5
    assert region_seats["Praha"] == 24 and region_seats["Karlovarský"] == 5
    assert sum(region_seats.values()) == 200

    # 2. the 5 % national threshold on valid votes (party votes: there is no against-all line)
    parties = list(votes["Praha"])
    national = VoteTotals({p: sum(votes[r][p] for r in REGIONS) for p in parties})
    qualified = allocate(
        parse_law('name = "CZ 5 %"\nseats = 200\nmethod = "dhondt"\nthreshold = "5%"\n'), national
    ).qualified
    assert set(qualified) == {
        "ODS", "ČSSD", "STAN", "KSČM", "Piráti", "TOP-09", "ANO", "KDU-ČSL", "SPD",
    }  # fmt: skip

    # 3. D'Hondt in each region among the qualified parties, seats fixed per region
    districts = "\n".join(f'"{r}" = {s}' for r, s in region_seats.items())
    law = parse_law(f'name = "CZ 2017"\nmethod = "dhondt"\n[districts]\n{districts}\n')
    per_region = {r: VoteTotals({p: votes[r][p] for p in qualified}) for r in REGIONS}
    alloc = allocate(
        law, VoteTotals({p: national.votes[p] for p in qualified}), districts=per_region
    )
    assert {p: s for p, s in alloc.seats.items() if s} == {
        "ANO": 78, "ODS": 25, "Piráti": 22, "SPD": 22, "ČSSD": 15, "KSČM": 15,
        "KDU-ČSL": 10, "TOP-09": 7, "STAN": 6,
    }  # fmt: skip
    praha = {p: s for p, s in alloc.districts["Praha"].seats.items() if s}
    assert praha == {
        "ANO": 6, "ODS": 5, "Piráti": 5, "TOP-09": 3, "SPD": 1, "ČSSD": 1, "KSČM": 1,
        "KDU-ČSL": 1, "STAN": 1,
    }  # fmt: skip
    karlovy_vary = {p: s for p, s in alloc.districts["Karlovarský"].seats.items() if s}
    assert karlovy_vary == {"ANO": 3, "Piráti": 1, "SPD": 1}
    assert alloc.ties == []
