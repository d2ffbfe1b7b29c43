"""Reading results: the canonical CSV, protocols, mapping files; errors that name the place."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from shailoo.domain.errors import InputError
from shailoo.forensics import StationTable
from shailoo.io.sources import read_mapped
from shailoo.simulate import kyrgyz_2020

HEADER = "station,region,district,registered,ballots_received,ballots_issued,ballots_cast,invalid,against_all,A,B\n"


def test_canonical_csv_round_trip(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=2)
    path = tmp_path / "protocols.csv"
    sim.write_csv(path, labels=True)
    table = StationTable.from_csv(path)
    assert table.parties == list(sim.party_ids)
    assert np.array_equal(table.votes, sim.reported.votes)
    assert np.array_equal(table.ballots_issued, sim.reported.ballots_issued)
    assert table.region is not None and set(table.region) == set(sim.regions)
    assert table.winner() in ("birimdik", "mekenim-kyrgyzstan")
    from_protocols = StationTable.from_protocols(sim.protocols, sim.election.stations)
    assert np.array_equal(from_protocols.votes, table.votes)
    assert list(from_protocols.district) == list(table.district)


@pytest.mark.parametrize(
    ("row", "line", "column", "rule"),
    [
        ("s1,R,D,100,100,50,50,0,0,-3,53", 2, "A", "negative"),
        ("s1,R,D,100,100,50,50,0,0,2.5,47", 2, "A", "not-an-integer"),
        ("s1,R,D,100,100,50,50,0,0,x,47", 2, "A", "not-an-integer"),
    ],
)
def test_bad_values_name_line_and_column(
    tmp_path: Path, row: str, line: int, column: str, rule: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + row + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        StationTable.from_csv(path)
    err = info.value
    assert (err.file, err.line, err.column, err.rule) == (str(path), line, column, rule)


def test_missing_registered_and_empty(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("station,A,B\ns,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="registered"):
        StationTable.from_csv(path)
    path.write_text(HEADER, encoding="utf-8")
    with pytest.raises(InputError, match="no stations"):
        StationTable.from_csv(path)
    with pytest.raises(InputError, match="not found"):
        StationTable.from_csv(tmp_path / "absent.csv")


def test_mapping_file_sums_columns(tmp_path: Path) -> None:
    data = tmp_path / "src.csv"
    data.write_text(
        "PS,DIST,VOTERS,EARLY,ONDAY,GOOD,BAD,Ann,Bob,NOTE\n"
        "1,North,1000,10,490,480,20,300,180,x\n"
        "2,North,800,0,400,390,10,100,290,y\n",
        encoding="utf-8",
    )
    mapping = tmp_path / "map.toml"
    mapping.write_text(
        'ignore = ["NOTE"]\n[columns]\nstation = "PS"\nregion = "DIST"\nregistered = "VOTERS"\n'
        'ballots_issued = ["EARLY", "ONDAY"]\nballots_cast = ["GOOD", "BAD"]\ninvalid = "BAD"\n',
        encoding="utf-8",
    )
    t = read_mapped(data, mapping)
    assert t.parties == ["Ann", "Bob"]
    assert t.ballots_issued.tolist() == [500, 400]
    assert t.ballots_cast.tolist() == [500, 400]
    assert t.stations == ["1", "2"]
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\nregistred = "VOTERS"\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_mapped(data, bad)
    assert info.value.rule == "missing"


def test_stations_file_supplies_region_and_district(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=4)
    sim.write_csv(tmp_path / "p.csv")
    sim.write_stations_csv(tmp_path / "s.csv")
    table = StationTable.from_csv(tmp_path / "p.csv")
    assert table.region is None
    table.with_stations(tmp_path / "s.csv")
    assert list(table.district) == list(sim.districts)
    (tmp_path / "bad.csv").write_text("station,registered\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        table.with_stations(tmp_path / "bad.csv")
    assert info.value.column == "region"


def test_text_columns_of_the_canonical_file_are_not_parties(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text(
        "station,registered,ballots_received,ballots_issued,ballots_cast,invalid,against_all,A,B,source,reason\n"
        "s1,100,100,60,60,2,1,40,17,official,\n",
        encoding="utf-8",
    )
    t = StationTable.from_csv(path)
    assert t.parties == ["A", "B"] and t.votes.tolist() == [[40, 17]]


def test_a_strangers_file_bom_semicolons_no_issued_zero_registered(tmp_path: Path) -> None:
    """No region/district, no ballots_received/issued, BOM, ';', an empty station, a 0-vote party."""
    import numpy as np

    from shailoo.domain.errors import InputError
    from shailoo.forensics import run

    rng = np.random.default_rng(4)
    lines = ["station;registered;ballots_cast;invalid;Alpha;Beta;Nobody"]
    for i in range(120):
        reg = 0 if i == 7 else int(rng.integers(150, 1500))
        cast = int(rng.binomial(reg, 0.55))
        inv = int(rng.binomial(cast, 0.02))
        a = int(rng.binomial(cast - inv, 0.6))
        lines.append(f"P{i};{reg};{cast};{inv};{a};{cast - inv - a};0")
    path = tmp_path / "results.csv"
    path.write_bytes(("\ufeff" + "\n".join(lines) + "\n").encode("utf-8"))
    table = StationTable.from_csv(path)
    assert table.stations[0] == "P0" and table.parties == ["Alpha", "Beta", "Nobody"]
    assert table.region is None and table.district is None
    assert (table.ballots_issued == table.ballots_cast).all()
    report = run(table, replicates=50)
    assert report.leader == "Alpha"
    assert any("no ballots_issued" in n for n in report.notes)
    assert any("0 registered" in n for n in report.notes)
    assert "Note: no ballots_issued column" in report.summary()
    assert report.risk.score[7] == 0.0 and np.isfinite(report.risk.score).all()
    with pytest.raises(InputError) as err:
        run(table, leader="Gamma", replicates=10)
    msg = str(err.value)
    assert str(path) in msg and "Alpha, Beta, Nobody" in msg and "--leader" in msg
    bad = tmp_path / "bad.csv"
    bad.write_text("station;registered;ballots_cast;Alpha\nP1;100;50;2x\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        StationTable.from_csv(bad)
    assert err.value.file == str(bad) and err.value.line == 2 and err.value.column == "Alpha"
