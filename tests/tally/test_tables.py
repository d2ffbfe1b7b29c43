"""CSV and Parquet tables for analysts hold exactly the tally's figures."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
from tally_factory import Ledger, protocol, small_election

from shailoo.io import tables
from shailoo.tally import Tally


def tally() -> Tally:
    e = small_election()
    led = Ledger(e)
    led.record(protocol("N1-1", {"A": 10, "B": 20, "C": 30}, against_all=1))
    led.record(protocol("S1-1", {"A": 5, "B": 6, "C": 7}))
    led.decide("D1", "annul", "station", "S1-1")
    return Tally.rebuild(e, led.events)


def test_station_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    assert tables.write_csv(tally(), path) == 5
    rows = {r["unit"]: r for r in csv.DictReader(path.open(encoding="utf-8"))}
    assert rows["N1-1"]["A"] == "10" and rows["N1-1"]["ballots_cast"] == "61"
    assert rows["S1-1"]["status"] == "annulled" and rows["S1-1"]["A"] == ""
    assert rows["S1-1"]["annulled_by"] == "D1"
    assert rows["N1-2"]["status"] == "missing"


def test_parquet_as_reported_and_by_region(tmp_path: Path) -> None:
    path = tmp_path / "r.parquet"
    tables.write_parquet(tally(), path, as_reported=True)
    t = pq.read_table(path).to_pydict()
    i = t["unit"].index("S1-1")
    assert t["A"][i] == 5 and t["annulled_by"][i] == "D1"
    tables.write_parquet(tally(), path, level="region")
    t = pq.read_table(path).to_pydict()
    assert t["unit"] == ["North", "South"] and t["B"] == [20, 0]
