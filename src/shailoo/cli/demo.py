"""``shailoo demo`` (interim): the Kyrgyz 2020 seat allocation with each step explained.

The figures are the CEC preliminary count of 5 October 2020 (98 % of boxes), as reported by
for.kg and ea-news.kz. The web demo replaces this command later.
"""

from __future__ import annotations

import argparse

from shailoo.cli import add_command
from shailoo.domain.model import VoteTotals
from shailoo.law import allocate, format_allocation, load_law

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


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``demo`` sub-command."""
    p = add_command(
        sub,
        "demo",
        "Show the Kyrgyz 2020 seat allocation, step by step.",
        example="shailoo demo",
    )
    p.add_argument("--annul", action="store_true", help=argparse.SUPPRESS)
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print the allocation of the 2020 preliminary count under the kg-2020 preset."""
    law = load_law("kg-2020")
    alloc = allocate(law, KG_2020_PRELIMINARY)
    print("Kyrgyzstan, 4 October 2020: CEC preliminary count of 5 October (98 % of boxes)")
    print()
    print(format_allocation(law, alloc, KG_2020_PRELIMINARY))
    print()
    print(
        "Why Mekenchil has no seat: the 7 % threshold is counted on the voters who took part "
        "(ballots cast, 1,990,753), not on party votes; Mekenchil's 136,276 votes are 6.85 % of "
        "them, though 7.09 % of party votes alone."
    )
    return 0
