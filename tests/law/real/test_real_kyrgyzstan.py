"""Golden tests: Kyrgyz Jogorku Kenesh elections under the kg-* presets.

Sources beside each figure. The seats are the officially declared ones.
"""

from __future__ import annotations

from fractions import Fraction

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, format_allocation, load_law, parse_law
from shailoo.law.kg2020_preliminary import KG_2020_PRELIMINARY
from shailoo.law.thresholds import passes

# CEC preliminary count of 5 October 2020 (98 % of ballot boxes, machine count), as reported by
# for.kg and ea-news.kz on 5 October 2020 (see /work/shared/research/kyrgyz-law.md): registered
# 3,523,554; took part 1,990,753; against all 35,714. Declared allocation (120 seats, 7 % of the
# voters who took part, Hare largest remainder): Birimdik 46, Mekenim Kyrgyzstan 45,
# Kyrgyzstan 16, Butun Kyrgyzstan 13. The figures are kept once, in shailoo.law.kg2020_preliminary.
KG_2020 = KG_2020_PRELIMINARY


def test_kg_2020_preliminary_46_45_16_13() -> None:
    law = load_law("kg-2020")
    alloc = allocate(law, KG_2020)
    won = {p: s for p, s in alloc.seats.items() if s}
    assert won == {
        "Birimdik": 46,
        "Mekenim Kyrgyzstan": 45,
        "Kyrgyzstan": 16,
        "Butun Kyrgyzstan": 13,
    }
    assert list(alloc.seats) == list(KG_2020.votes)  # every party, ballot order
    assert alloc.qualified == ["Birimdik", "Mekenim Kyrgyzstan", "Kyrgyzstan", "Butun Kyrgyzstan"]
    assert alloc.ties == []
    assert alloc.quota == Fraction(1_279_314, 120)  # qualified votes / seats, exact
    assert alloc.to_json()["quota"] == "213219/20"


def test_kg_2020_mekenchil_fails_on_ballots_cast_but_passes_on_party_votes() -> None:
    law = load_law("kg-2020")
    alloc = allocate(law, KG_2020)
    reason = alloc.excluded["Mekenchil"]
    assert "6.85 %" in reason and "ballots cast" in reason and "7 %" in reason
    # the base decides: on party votes alone Mekenchil has 7.09 % and would pass
    assert law.threshold == Fraction(7, 100)
    assert passes(136_276, KG_2020.party_votes, law.threshold)
    assert not passes(136_276, 1_990_753, law.threshold)
    # national figures only: the regional threshold is said to be unchecked
    assert any(n.startswith("regional threshold not checked") for n in alloc.notes)
    text = format_allocation(law, alloc, KG_2020)
    assert "Mekenchil" in text and "not checked" in text


def test_kg_2020_on_party_votes_mekenchil_would_enter() -> None:
    """The same figures under a law identical but for the base: five parties qualify."""
    law_text = load_law("kg-2020").text.replace(
        'threshold_base = "ballots_cast"', 'threshold_base = "party_votes"'
    )
    alloc = allocate(parse_law(law_text, source="variant"), KG_2020)
    assert alloc.seats["Mekenchil"] > 0
    assert len(alloc.qualified) == 5


# Kyrgyzstan, 4 October 2015, final results (CEC, 10 October 2015; IPU Parline): parties that
# passed the 7 % threshold and their votes. Declared seats: SDPK 38, Respublika-Ata-Jurt 28,
# Kyrgyzstan 18, Onuguu-Progress 13, Bir Bol 12, Ata-Meken 11. The turnout line is not needed
# for the allocation among these six (the threshold decided who they are); the golden test is
# the Hare largest-remainder division under the kg-2015 preset's method.
KG_2015_QUALIFIED = {
    "SDPK": 432_804,
    "Respublika-Ata-Jurt": 318_266,
    "Kyrgyzstan": 205_268,
    "Onuguu-Progress": 147_515,
    "Bir Bol": 134_909,
    "Ata-Meken": 122_500,
}


def test_kg_2015_final_38_28_18_13_12_11() -> None:
    law = load_law("kg-2015")
    # ballots cast set so that every one of the six passes 7 % (they did; the exact 2015 turnout
    # figure is not among our sources, and the allocation does not depend on it)
    totals = VoteTotals(KG_2015_QUALIFIED, ballots_cast=1_700_000)
    alloc = allocate(law, totals)
    assert alloc.seats == {
        "SDPK": 38,
        "Respublika-Ata-Jurt": 28,
        "Kyrgyzstan": 18,
        "Onuguu-Progress": 13,
        "Bir Bol": 12,
        "Ata-Meken": 11,
    }
    # Bir Bol and Ata-Meken take the two remainder seats (largest remainders)
    remainder_seats = [s["party"] for s in alloc.steps if s["step"] == "remainder-seat"]
    assert remainder_seats == ["Bir Bol", "Ata-Meken"]


def test_presets_load_and_cite_a_source() -> None:
    for name, seats, cap in (
        ("kg-2010", 120, 65),
        ("kg-2015", 120, 65),
        ("kg-2020", 120, 65),
        ("kg-2021", 54, 27),
    ):
        law = load_law(name)
        assert law.seats == seats and law.max_seats_per_party == cap
        assert law.method == "hare"
        assert "Source:" in law.text and "Not confirmed" in law.text
        assert "silent on ties" in law.text
    assert load_law("kg-2010").threshold_base == "registered"


def test_kg_2020_cap_on_a_merged_list() -> None:
    """No real Kyrgyz election reached the 65-seat cap. What-if on the real 2020 figures: had
    Birimdik and Mekenim Kyrgyzstan run as one list (963,057 votes), Hare would give it 90 of
    120 seats; the cap keeps it at 65 and the other 55 go to the other qualified lists by the
    same method: quota 316,257 / 55; Kyrgyzstan 30 + Butun Kyrgyzstan 24 whole quotas, the last
    seat to Butun Kyrgyzstan's larger remainder (0.68 against 0.31 of a quota)."""
    votes = dict(KG_2020.votes)
    merged = {"Birimdik+Mekenim": votes.pop("Birimdik") + votes.pop("Mekenim Kyrgyzstan")}
    totals = VoteTotals({**merged, **votes}, ballots_cast=1_990_753)
    alloc = allocate(load_law("kg-2020"), totals)
    assert {p: s for p, s in alloc.seats.items() if s} == {
        "Birimdik+Mekenim": 65,
        "Kyrgyzstan": 30,
        "Butun Kyrgyzstan": 25,
    }
    assert alloc.capped == ["Birimdik+Mekenim"]
    assert alloc.quota == Fraction(316_257, 55)
    cap_step = next(s for s in alloc.steps if s["step"] == "cap")
    assert cap_step["seats"] == 90 and cap_step["cap"] == 65


# Kyrgyzstan, 10 October 2010, final results of the CEC ("Shailoo" system) as tabulated in
# Wikipedia's "Elections in Kyrgyzstan" (source line: Shailoo) and relayed from the CEC's final
# protocol by zeropointfield.wordpress.com (12 October 2010): turnout 1,679,538 = 55.90 % of the
# registered voters; Ata-Zhurt 266,923, SDPK 241,528, Ar-Namys 232,682, Respublika 217,601,
# Ata-Meken 168,218, Butun Kyrgyzstan 145,455 (4.84 % of registered), Akshumkar 78,952,
# Zamandash 63,435; the 21 other lists had fewer votes each. Declared seats: 28 / 26 / 25 / 23 /
# 18.
#
# Restrictions, stated: (1) the exact number of registered voters is not among our sources; the
# CEC's turnout of 55.90 % (rounded to 0.01) bounds it to 3,004,272 - 3,004,809, and the test
# runs at both ends; (2) the regional figures (0.5 % of registered in each of the 9 regions) are
# not available, so the regional threshold is NOT checked -- the engine says so in its notes;
# (3) the 21 smallest lists are left out: each had fewer votes than Zamandash, far below 5 %.
KG_2010 = {
    "Ata-Zhurt": 266_923,
    "SDPK": 241_528,
    "Ar-Namys": 232_682,
    "Respublika": 217_601,
    "Ata-Meken": 168_218,
    "Butun Kyrgyzstan": 145_455,
    "Akshumkar": 78_952,
    "Zamandash": 63_435,
}
KG_2010_REGISTERED_BOUNDS = (3_004_272, 3_004_809)  # 1,679,538 is 55.90 % of each


def test_kg_2010_final_28_26_25_23_18_national_only() -> None:
    law = load_law("kg-2010")
    for registered in KG_2010_REGISTERED_BOUNDS:
        # the bounds really are the ones the rounded turnout allows
        assert round(Fraction(1_679_538, registered) * 100, 2) == Fraction(5590, 100)
        alloc = allocate(law, VoteTotals(KG_2010, registered=registered))
        assert {p: s for p, s in alloc.seats.items() if s} == {
            "Ata-Zhurt": 28,
            "SDPK": 26,
            "Ar-Namys": 25,
            "Respublika": 23,
            "Ata-Meken": 18,
        }
        # Butun Kyrgyzstan: 4.84 % of registered voters, below the 5 %
        assert "below the 5 % national threshold" in alloc.excluded["Butun Kyrgyzstan"]
        assert "4.84 % of registered voters" in alloc.excluded["Butun Kyrgyzstan"]
        assert any("regional threshold not checked" in n for n in alloc.notes)
        assert alloc.ties == []


# Kyrgyzstan, 28 November 2021, the 54 party-list seats: CEC decision No. 836 of 15 December
# 2021 "On the results of the vote and of the election ... in the single electoral district"
# (shailoo.gov.kg), as reported by TRT Avaz the same day: six lists passed 5 % nationally and
# 0.5 % in every region -- Ata-Zhurt Kyrgyzstan 222,005 (17.32 %), Ishenim 174,470 (13.61 %),
# Yntymak 141,009 (11.00 %), Alliance 106,955 (8.35 %), Butun Kyrgyzstan 90,223 (7.04 %), Yiman
# Nuru 79,025 (6.17 %); kloop.kg gives the same percentages. Declared seats, same decision:
# 15 / 12 / 9 / 7 / 6 / 5.
#
# Restrictions, stated: the base of the CEC's percentages is not given in the source; the six
# rounded percentages together bound it to 1,281,455 - 1,281,665 and the test runs the kg-2021
# preset at both ends (taking it as ballots cast, the preset's unconfirmed base); the regional
# figures and the lists that failed are not in the source, so only the division among the six
# and the national threshold are checked.
KG_2021_PASSED = {
    "Ata-Zhurt Kyrgyzstan": 222_005,
    "Ishenim": 174_470,
    "Yntymak": 141_009,
    "Alliance": 106_955,
    "Butun Kyrgyzstan": 90_223,
    "Yiman Nuru": 79_025,
}
KG_2021_PERCENT = ("17.32", "13.61", "11.00", "8.35", "7.04", "6.17")
KG_2021_BASE_BOUNDS = (1_281_455, 1_281_665)


def test_kg_2021_list_seats_15_12_9_7_6_5() -> None:
    law = load_law("kg-2021")
    assert law.max_seats_per_party == 27  # "50%" of the 54 list seats
    for base in KG_2021_BASE_BOUNDS:
        shares = [round(Fraction(v * 100, base), 2) for v in KG_2021_PASSED.values()]
        assert shares == [Fraction(p) for p in KG_2021_PERCENT]  # the bound is the right one
        alloc = allocate(law, VoteTotals(KG_2021_PASSED, ballots_cast=base))
        assert alloc.qualified == list(KG_2021_PASSED)
        assert {p: s for p, s in alloc.seats.items() if s} == {
            "Ata-Zhurt Kyrgyzstan": 15,
            "Ishenim": 12,
            "Yntymak": 9,
            "Alliance": 7,
            "Butun Kyrgyzstan": 6,
            "Yiman Nuru": 5,
        }
        remainder_seats = [s["party"] for s in alloc.steps if s["step"] == "remainder-seat"]
        assert remainder_seats == ["Butun Kyrgyzstan", "Ata-Zhurt Kyrgyzstan", "Ishenim"]
        assert alloc.ties == [] and alloc.capped == []
