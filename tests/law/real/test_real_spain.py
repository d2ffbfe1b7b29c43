"""Golden test: a D'Hondt district where the threshold bites -- Madrid, Spanish Congress, 1993.

Law: Ley Orgánica 5/1985 del Régimen Electoral General, art. 163: in each province, lists with
less than 3 % of the valid votes (blank ballots included) are left out; the seats go by D'Hondt.
Madrid elected 34 deputies in 1993.

Figures: scrutiny of the Junta Electoral Provincial de Madrid, reported by the Servimedia news
agency on 10 June 1993 ("El CDS no conseguirá finalmente un diputado en Madrid..."): valid votes
3,105,491; PP 1,364,118; PSOE 1,083,424; IU 452,147; CDS 92,545 -- 2.98 %, below 3 %, so CDS
and its leader Rafael Calvo Ortega won no seat. Declared seats PP 16, PSOE 13, IU 5: the result
page of the 1996 election in Madrid (French Wikipedia, "Élections générales espagnoles de 1996
dans la communauté de Madrid") gives PP 17 (+1), PSOE 11 (-2), IU 6 (+1) against 1993. That the
3 % cost a seat in Madrid 1993, and nowhere else before, is the standard account (Wikipedia,
"List of electoral districts by nation: Spain").

Restriction, stated: the source gives the four lists above and the valid-vote total, not the
blank ballots and the smaller lists one by one. The other lists were all far below 3 % and cannot
win a seat, so only their sum matters -- it enters the base through the ``against_all`` line
(the "valid" base is party votes + that line), which is where Spanish blank ballots belong.
"""

from __future__ import annotations

from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, parse_law

VALID = 3_105_491
MADRID_1993 = {"PP": 1_364_118, "PSOE": 1_083_424, "IU": 452_147, "CDS": 92_545}
OTHERS_AND_BLANK = VALID - sum(MADRID_1993.values())

LAW = """
name = "Spain, Congress of Deputies, 1993 (Madrid)"
method = "D'Hondt"
threshold_base = "valid_votes"
[districts.Madrid]
seats = 34
threshold = 0.03
"""


def _madrid(law_text: str) -> tuple[dict[str, int], dict[str, str], list[str]]:
    law = parse_law(law_text, source="es-1993.toml")
    madrid = VoteTotals(MADRID_1993, against_all=OTHERS_AND_BLANK)
    alloc = allocate(law, madrid, districts={"Madrid": madrid})
    assert alloc.ties == []
    sub = alloc.districts["Madrid"]
    return {p: s for p, s in alloc.seats.items() if s}, sub.excluded, alloc.notes


def test_madrid_1993_the_three_percent_keeps_cds_out() -> None:
    seats, excluded, notes = _madrid(LAW)
    assert seats == {"PP": 16, "PSOE": 13, "IU": 5}
    assert excluded["CDS"].startswith("2.98 % of valid votes (92,545 of 3,105,491)")
    assert "below the 3 % district threshold" in excluded["CDS"]
    # the stranger's forms were read as meant, and the output says how
    assert any(n.startswith("districts.Madrid.threshold 0.03 read as 3 %") for n in notes)
    assert "method \"D'Hondt\" read as 'dhondt'" in notes
    assert "threshold_base 'valid_votes' read as 'valid'" in notes


def test_madrid_1993_without_the_threshold_cds_takes_a_seat_from_psoe() -> None:
    seats, _, _ = _madrid(LAW.replace("threshold = 0.03\n", ""))
    assert seats == {"PP": 16, "PSOE": 12, "IU": 5, "CDS": 1}
