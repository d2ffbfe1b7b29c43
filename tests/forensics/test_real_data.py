"""Validation on real elections in ../shared/data (skipped if absent, unless required).

Whole-percent heaping must reproduce Kobak et al.'s 1,003 excess stations for the 2011 Duma
election within Monte-Carlo error, and stay within 3 sd on the clean controls. Few replicates
here; bench/validate_real.py runs the full validation.
"""

from __future__ import annotations

import pytest
from forensics_helpers import need_data

from shailoo.forensics.heaping import heaping_test
from shailoo.io.sources import read_source


def _heaping(source: str, *parts: str, replicates: int = 200):  # type: ignore[no-untyped-def]
    table = read_source(source, need_data(*parts))
    lv = table.votes[:, table.party_index(table.winner())]
    return table, heaping_test(
        table.registered, table.ballots_issued, table.ballots_cast, lv, replicates=replicates
    )


def test_russia_2011_reproduces_the_published_excess() -> None:
    table, res = _heaping("russia", "russia", "2011.csv.zip")
    assert len(table) == 95_225
    assert "ЕДИНАЯ РОССИЯ" in table.winner()
    # published: 1,003 excess stations (Kobak, Shpilkin, Pshenichnikov 2016)
    assert abs(res.excess - 1003) < 2 * res.sd
    assert res.z > 6


@pytest.mark.parametrize(
    ("source", "parts"),
    [("bulgaria", ("bulgaria-2021-07",)), ("georgia", ("georgia-2024",))],
)
def test_clean_controls_show_no_excess(source: str, parts: tuple[str, ...]) -> None:
    _, res = _heaping(source, *parts)
    assert abs(res.z) <= 3


def test_uganda_reads_and_has_no_whole_percent_excess() -> None:
    table, res = _heaping("uganda", "uganda-2011")
    assert len(table) == 23_968
    assert "MUSEVENI" in table.winner()
    assert abs(res.z) <= 3
