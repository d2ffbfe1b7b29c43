"""parties.csv, stations.csv and the manifest."""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.domain.errors import InputError
from shailoo.io.setup import read_manifest, read_parties, read_stations


def test_parties_in_ballot_order(tmp_path: Path) -> None:
    path = tmp_path / "parties.csv"
    path.write_text("id,name\nmekenim,Мекеним Кыргызстан\nbirimdik,Биримдик\n", encoding="utf-8")
    assert [p.id for p in read_parties(path)] == ["mekenim", "birimdik"]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("id,name\na,A\na,B\n", "duplicate"),
        ("id,name\nstation,A\n", "party-id"),
        ("name\nA\n", "missing-column"),
        ("id,name\n", "empty-file"),
    ],
)
def test_bad_parties(tmp_path: Path, text: str, rule: str) -> None:
    path = tmp_path / "parties.csv"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        read_parties(path)
    assert info.value.rule == rule


def test_stations_keep_extra_columns(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    path.write_text(
        'station,region,district,registered,address,latitude\n5101,Chüy,Sokuluk,1520,"Lenin St 1, Sokuluk",42.87\n'
    )
    (s,) = read_stations(path)
    assert (s.id, s.region, s.registered) == ("5101", "Chüy", 1520)
    assert s.extra == {"address": "Lenin St 1, Sokuluk", "latitude": "42.87"}


def test_bad_registered_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "stations.csv"
    path.write_text("station,region,district,registered\n1,r,d,10\n2,r,d,-3\n")
    with pytest.raises(InputError) as info:
        read_stations(path)
    assert (info.value.line, info.value.column, info.value.rule) == (3, "registered", "P001")


def test_manifest_resolves_paths(tmp_path: Path) -> None:
    (tmp_path / "election.toml").write_text(
        'id = "kg-2020"\nname = "JK 2020"\ndate = 2020-10-04\nlaw = "kg-2020"\n'
        'parties = "parties.csv"\nstations = "stations.csv"\n'
    )
    m = read_manifest(tmp_path / "election.toml")
    assert m.parties == tmp_path / "parties.csv" and m.law == "kg-2020" and m.date == "2020-10-04"
