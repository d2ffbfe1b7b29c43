"""Kyrgyz facts the simulator is calibrated to (Jogorku Kenesh election of 4 October 2020).

Sources (see ``research/kyrgyz-law.md`` and issue 2): CEC preliminary count of 5 October 2020
(98 % of boxes) for the party votes, the voters who took part and the registered voters; regional
shares of the electorate and the station counts of Bishkek and Osh city as reported for 2020.
"""

from __future__ import annotations

from typing import Final

#: registered voters on the final list, CEC 5 Oct 2020
REGISTERED_2020: Final = 3_523_554
#: voters who took part (ballots cast, valid and invalid), CEC 5 Oct 2020
TOOK_PART_2020: Final = 1_990_753
#: votes "against all", CEC 5 Oct 2020
AGAINST_ALL_2020: Final = 35_714
#: stations inside the country (about 2,462-2,475 reported, 45 of them abroad)
STATIONS_2020: Final = 2_460

#: (id, name, preliminary votes) in ballot order as listed by the CEC preliminary count
PARTIES_2020: Final[tuple[tuple[str, str, int], ...]] = (
    ("birimdik", "Birimdik", 487_685),
    ("mekenim-kyrgyzstan", "Mekenim Kyrgyzstan", 475_372),
    ("kyrgyzstan", "Kyrgyzstan", 174_317),
    ("butun-kyrgyzstan", "Butun Kyrgyzstan", 141_940),
    ("mekenchil", "Mekenchil", 136_276),
    ("respublika", "Respublika", 115_288),
    ("ata-meken", "Ata Meken", 80_279),
    ("yiman-nuru", "Yiman Nuru", 66_747),
    ("bir-bol", "Bir Bol", 60_305),
    ("chon-kazat", "Chon Kazat", 46_568),
    ("zamandash", "Zamandash", 42_862),
    ("social-democrats", "Social Democrats", 42_460),
    ("reforma", "Reforma", 32_795),
    ("meken-yntymagy", "Meken Yntymagy", 12_468),
    ("ordo", "Ordo", 4_395),
    ("afghan-veterans", "Afghan War Veterans", 3_459),
)

#: (region, share of the electorate, stations or None to allocate by share, districts, urban share)
#: Bishkek has 233 stations and Osh city 76 (2020 reports); districts are the rayons of each
#: oblast (city districts for the two cities), numbered rather than named.
REGIONS_2020: Final[tuple[tuple[str, float, int | None, int, float], ...]] = (
    ("Batken", 0.084, None, 5, 0.25),
    ("Chui", 0.166, None, 8, 0.30),
    ("Issyk-Kul", 0.088, None, 5, 0.25),
    ("Jalal-Abad", 0.186, None, 8, 0.25),
    ("Naryn", 0.059, None, 5, 0.15),
    ("Osh", 0.204, None, 7, 0.10),
    ("Talas", 0.045, None, 4, 0.15),
    ("Bishkek", 0.114, 233, 4, 1.0),
    ("Osh city", 0.041, 76, 2, 1.0),
)
