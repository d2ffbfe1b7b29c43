"""The CEC's preliminary count of the Kyrgyz parliamentary election of 4 October 2020.

Source: the Central Election Commission's preliminary (machine) count of 5 October 2020, 98 %
of ballot boxes, as reported by for.kg and ea-news.kz on 5 October 2020 (notes in
/work/shared/research/kyrgyz-law.md). Parties in ballot order by votes. The CEC declared the
allocation Birimdik 46, Mekenim Kyrgyzstan 45, Kyrgyzstan 16, Butun Kyrgyzstan 13 (120 seats,
7 % of the voters who took part, Hare largest remainder) before annulling the election on
6 October 2020. One copy, used by ``shailoo demo`` and by the golden test of the kg-2020 preset.
"""

from __future__ import annotations

from shailoo.domain.model import VoteTotals

#: CEC preliminary count, 5 October 2020 (98 % of ballot boxes), ballot order by votes
KG_2020_PRELIMINARY = VoteTotals(
    votes={
        "Birimdik": 487_685,
        "Mekenim Kyrgyzstan": 475_372,
        "Kyrgyzstan": 174_317,
        "Butun Kyrgyzstan": 141_940,
        "Mekenchil": 136_276,
        "Respublika": 115_288,
        "Ata Meken": 80_279,
        "Yiman Nuru": 66_747,
        "Bir Bol": 60_305,
        "Chon Kazat": 46_568,
        "Zamandash": 42_862,
        "Social Democrats": 42_460,
        "Reforma": 32_795,
        "Meken Yntymagy": 12_468,
        "Ordo": 4_395,
        "Afghan War Veterans": 3_459,
    },
    registered=3_523_554,
    ballots_cast=1_990_753,
    against_all=35_714,
)
