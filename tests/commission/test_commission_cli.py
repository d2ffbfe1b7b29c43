"""The commission's commands: a partial re-run and a revocation through the command line."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shailoo.cli import main

PARTIES = [("A", "Alpha"), ("B", "Beta"), ("C", "Gamma")]
# two regions, two districts each, two stations per district
STATIONS = [
    (f"{d}-{k}", region, d, 1000)
    for region, ds in (("North", ("N1", "N2")), ("South", ("S1", "S2")))
    for d in ds
    for k in (1, 2)
]
LAW = 'name = "test"\nseats = 10\nmethod = "dhondt"\nthreshold = "5%"\nthreshold_base = "ballots_cast"\n'
BASIS = ["--article", "art. 42", "--basis-text", "violations affecting the outcome"]


def write(path: Path, header: list[str], rows: list[tuple[object, ...]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def protocols(path: Path, votes: dict[str, tuple[int, int, int]]) -> Path:
    rows = []
    for sid, (a, b, c) in votes.items():
        cast = a + b + c + 10
        rows.append((sid, 1000, 1000, cast, cast, 5, 5, a, b, c))
    header = [
        "station",
        "registered",
        "ballots_received",
        "ballots_issued",
        "ballots_cast",
        "invalid",
        "against_all",
        "A",
        "B",
        "C",
    ]
    return write(path, header, rows)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_partial_rerun_and_revocation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "e.db")
    write(tmp_path / "parties.csv", ["id", "name"], PARTIES)
    write(tmp_path / "stations.csv", ["station", "region", "district", "registered"], STATIONS)
    (tmp_path / "law.toml").write_text(LAW)
    code, _, err = run(
        capsys,
        "init",
        "--db",
        db,
        "--law",
        str(tmp_path / "law.toml"),
        "--parties",
        str(tmp_path / "parties.csv"),
        "--stations",
        str(tmp_path / "stations.csv"),
        "--id",
        "e1",
        "--date",
        "2020-10-04",
    )
    assert code == 0, err
    votes = {s[0]: (300, 200, 100) for s in STATIONS}
    votes["S2-1"] = (500, 50, 50)  # the stuffed one
    code, _, err = run(
        capsys, "import", "--db", db, "--quiet", str(protocols(tmp_path / "p.csv", votes))
    )
    assert code == 0, err

    code, _, err = run(
        capsys,
        "decide",
        "annul",
        "--db",
        db,
        "--level",
        "district",
        "--unit",
        "Z9",
        "--reason",
        "x",
        *BASIS,
        "--for",
        "5",
    )
    assert code == 2 and "no district 'Z9'" in err and "Traceback" not in err
    code, out, err = run(
        capsys,
        "decide",
        "annul",
        "--db",
        db,
        "--level",
        "district",
        "--unit",
        "S2",
        "--reason",
        "ballot stuffing",
        *BASIS,
        "--for",
        "7",
        "--against",
        "2",
        "--date",
        "2020-10-05",
        "--json",
    )
    assert code == 0, err
    assert json.loads(out)["decision_id"] == "D1"
    code, out, _ = run(capsys, "results", "--db", db, "--district", "S2", "--json")
    s2 = json.loads(out)["unit"]
    assert s2["annulled"] and s2["votes"] == {"A": 0, "B": 0, "C": 0}

    code, out, err = run(
        capsys,
        "rerun",
        "--db",
        db,
        "--level",
        "district",
        "--ids",
        "S2",
        "--date",
        "2020-11-01",
        "--json",
    )
    assert code == 0, err
    rerun = json.loads(out)
    assert rerun["stations"] == 2 and rerun["replaces"]["scope"] == {
        "level": "district",
        "ids": ["S2"],
    }
    code, _, err = run(
        capsys,
        "import",
        "--db",
        db,
        "--election",
        rerun["election"],
        "--quiet",
        str(protocols(tmp_path / "r.csv", {"S2-1": (250, 250, 100), "S2-2": (300, 200, 100)})),
    )
    assert code == 0, err
    code, out, _ = run(capsys, "results", "--db", db, "--json")
    nation = json.loads(out)
    assert nation["election"] == "e1"  # the partial re-run lives in its original
    assert nation["unit"]["votes"]["A"] == 300 * 7 + 250
    assert nation["unit"]["stations_rerun"] == 2 and nation["unit"]["stations_missing"] == 0
    code, out, _ = run(capsys, "results", "--db", db, "--district", "S2")
    assert "ANNULLED by D1" in out and "re-run 2" in out

    code, out, err = run(
        capsys,
        "decide",
        "revoke",
        "D1",
        "--db",
        db,
        "--reason",
        "court ruling",
        *BASIS,
        "--for",
        "6",
        "--against",
        "3",
        "--date",
        "2020-10-20",
    )
    assert code == 0, err
    code, out, _ = run(capsys, "results", "--db", db, "--json")
    assert json.loads(out)["unit"]["votes"]["A"] == 300 * 7 + 500  # the original protocols again
    code, out, _ = run(capsys, "decide", "list", "--db", db)
    assert "[revoked by D2]" in out and "revokes D1" in out
    code, out, err = run(
        capsys, "decide", "revoke", "D1", "--db", db, "--reason", "again", *BASIS, "--for", "6"
    )
    assert code == 1 and "already revoked by D2" in err
