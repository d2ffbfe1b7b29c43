"""The simulator's protocol CSV (with its region and district columns) imports as it is."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shailoo.cli import main
from shailoo.simulate import kyrgyz_2020


def test_simulated_csv_with_units_imports_with_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sim = kyrgyz_2020(seed=1)
    e = sim.election
    with (tmp_path / "parties.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["id", "name"], *([p.id, p.name] for p in e.parties)])
    with (tmp_path / "stations.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(
            [
                ["station", "region", "district", "registered"],
                *([s.id, s.region, s.district, s.registered] for s in e.stations),
            ]
        )
    db = tmp_path / "kg.db"
    init = ["init", "--db", str(db), "--law", "kg-2020", "--id", "kg-2020"]
    files = [
        "--parties",
        str(tmp_path / "parties.csv"),
        "--stations",
        str(tmp_path / "stations.csv"),
    ]
    assert main(init + files) == 0
    protocols = tmp_path / "protocols.csv"
    sim.write_csv(protocols, labels=True)
    with protocols.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh))[:3] == ["station", "region", "district"]
    capsys.readouterr()

    assert main(["import", "--db", str(db), "--quiet", "--json", str(protocols)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["rejected"] == 0
    assert summary["recorded"] + summary["duplicates"] == sim.n_stations == summary["rows"]
    assert main(["verify", "--db", str(db), "--quiet"]) == 0

    # the same file with one region changed: that row alone is refused, with code P006
    rows = list(csv.reader(protocols.read_text(encoding="utf-8").splitlines()))
    rows[10][1] = "Атлантида"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    capsys.readouterr()
    assert main(["import", "--db", str(db), "--quiet", "--json", str(bad)]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["errors"] == {"P006": 1} and summary["duplicates"] == sim.n_stations - 1
    (line,) = list(csv.DictReader(Path(summary["report"]).read_text(encoding="utf-8").splitlines()))
    assert (line["line"], line["column"], line["code"]) == ("11", "region", "P006")
    assert "Атлантида" in line["values"]
