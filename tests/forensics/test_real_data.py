"""Validation on real elections in ../shared/data (skipped if absent, unless required).

Whole-percent heaping must reproduce Kobak et al.'s 1,003 excess stations for the 2011 Duma
election within Monte-Carlo error, and stay within 3 sd on the clean controls. Few replicates
here; bench/validate_real.py runs the full validation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from forensics_helpers import need_data

from shailoo.forensics import StationTable
from shailoo.forensics.heaping import HeapingResult, heaping_test
from shailoo.io.sources import read_source


def _heaping(source: str, *parts: str, replicates: int = 200) -> tuple[StationTable, HeapingResult]:
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


def test_readers_match_the_published_totals() -> None:
    """Totals the readers must reproduce, each from its official source."""
    bg = read_source("bulgaria", need_data("bulgaria-2021-07"))
    assert len(bg) == 13_005
    # ITN (ballot number 22) won with 657,829 votes (CIK, 11 July 2021)
    assert bg.winner() == "22" and int(bg.votes[:, bg.party_index("22")].sum()) == 657_829
    ge = read_source("georgia", need_data("georgia-2024"))
    # 3,095 precincts in the scrape (shared data README); Georgian Dream (CAND41) wins them
    assert len(ge) == 3_095 and ge.winner() == "CAND41"
    ru = read_source("russia", need_data("russia", "2011.csv.zip"))
    # United Russia: 49.32 % of the valid ballots (CEC, 2011); we divide by all ballots in the
    # boxes (valid and invalid, Kobak et al.), so slightly less
    share = ru.votes[:, ru.party_index(ru.winner())].sum() / ru.ballots_cast.sum()
    assert 0.485 < share < 0.4932
    assert int(ru.registered.sum()) == 109_229_337  # voters on the lists in the file


def test_a_map_file_reads_uganda_like_its_reader(tmp_path: Path) -> None:
    from shailoo.io.sources import read_mapped

    path = need_data("uganda-2011", "results.csv.gz")
    mapping = tmp_path / "uganda.toml"
    mapping.write_text(
        'parties = ["ABED BWANIKA", "BESIGYE KIFEFE KIZZA", "BETI OLIVE KAMYA NAMISANGO",\n'
        '  "BIDANDI SSALI JABERI", "MAO NORBERT", "OLARA OTUNNU", "SAMUEL LUBEGA MUKAAKU WALTER",\n'
        '  "YOWERI MUSEVENI KAGUTA"]\n'
        "[columns]\n"
        'station = "Original_Station_ID_2011"\nregion = "DISTRICT NAME"\n'
        'registered = "REGISTERED VOTERS"\nballots_cast = ["VALID", "INVALID"]\ninvalid = "INVALID"\n',
        encoding="utf-8",
    )
    mapped = read_mapped(path, mapping)
    reader = read_source("uganda", path)
    assert mapped.registered.tolist() == reader.registered.tolist()
    assert mapped.ballots_cast.tolist() == reader.ballots_cast.tolist()
    assert mapped.votes.tolist() == reader.votes.tolist()
