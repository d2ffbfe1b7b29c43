"""``shailoo seats LAW RESULTS.csv``: the readable table, --json, and bad input (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shailoo.cli import main

KG_2020_HEADER = (
    "registered,ballots_cast,against_all,Birimdik,Mekenim Kyrgyzstan,Kyrgyzstan,"
    "Butun Kyrgyzstan,Mekenchil,Respublika,Ata Meken,Yiman Nuru,Bir Bol,Chon Kazat,Zamandash,"
    "Social Democrats,Reforma,Meken Yntymagy,Ordo,Afghan War Veterans"
)
# CEC preliminary count, 5 October 2020 (see tests/law/real/test_real_kyrgyzstan.py)
KG_2020_ROW = (
    "3523554,1990753,35714,487685,475372,174317,141940,136276,115288,80279,66747,60305,"
    "46568,42862,42460,32795,12468,4395,3459"
)


def write(tmp_path: Path, text: str, name: str = "results.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_kg_2020_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, f"{KG_2020_HEADER}\n{KG_2020_ROW}\n")
    assert main(["seats", "kg-2020", path]) == 0
    out = capsys.readouterr().out
    assert "Seats: Birimdik 46, Mekenim Kyrgyzstan 45, Kyrgyzstan 16, Butun Kyrgyzstan 13" in out
    assert "Mekenchil: 6.85 % of ballots cast (136,276 of 1,990,753) is below the 7 %" in out
    assert "regional threshold not checked" in out
    assert "Hare quota" in out


def test_kg_2020_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, f"{KG_2020_HEADER}\n{KG_2020_ROW}\n")
    assert main(["seats", "kg-2020", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"seats", "qualified", "excluded", "quota", "ties", "steps"} <= set(out)
    assert out["seats"]["Birimdik"] == 46 and out["seats"]["Mekenchil"] == 0
    assert "Mekenchil" in out["excluded"]
    assert out["quota"] == "213219/20"


def test_regions_are_summed_and_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "region,ballots_cast,A,B,C\nBishkek,1000,400,400,200\nTalas,1000,600,394,6\n"
    path = write(tmp_path, text)
    assert main(["seats", "kg-2020", path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "Talas" in out["excluded"]["C"]
    assert not any("not checked" in n for n in out["notes"])


def test_law_file_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    law = write(tmp_path, 'name = "Mini"\nseats = 3\nmethod = "dhondt"\n', "mini.toml")
    path = write(tmp_path, "A,B\n60,40\n")
    assert main(["seats", law, path, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["seats"] == {"A": 2, "B": 1}


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", ":1:"),
        ("registered,against_all,A,B\n10,0,5,5\n", "column 'ballots_cast'"),
        ("ballots_cast,A,B\n100,5,-3\n", ":2: column 'B'"),
        ("ballots_cast,A,B\n100,5,x\n", ":2: column 'B'"),
        ("ballots_cast,A,B\n100,5,4.5\n", ":2: column 'B'"),
        ("ballots_cast,A,A\n100,5,5\n", ":1: column 'A'"),
        ("ballots_cast,A,B\n", ":2:"),
        ("ballots_cast,A,B\n100,5\n", ":2:"),
        ("region,ballots_cast,A\nX,10,5\nX,10,5\n", ":3: column 'region'"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    path = write(tmp_path, text)
    assert main(["seats", "kg-2020", path]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert path in err and where in err, err


def test_regional_base_needed_when_regions_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # kg-2010 counts registered voters: regions without the column cannot be checked
    path = write(tmp_path, "region,A,B\nX,5,5\nY,5,5\n")
    assert main(["seats", "kg-2010", path]) == 2
    assert "column 'registered'" in capsys.readouterr().err


def test_unknown_law_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "A,B\n1,2\n")
    assert main(["seats", "no-such-law", path]) == 2
    assert "presets are" in capsys.readouterr().err


def test_demo_prints_the_2020_allocation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # The demo now builds a database and serves the site; --no-serve keeps the test finite.
    assert main(["demo", "--no-serve", "--db", str(tmp_path / "demo.db")]) == 0
    out = capsys.readouterr().out
    assert "Birimdik 46" in out and "Mekenchil" in out and "6.85 %" in out


def test_seats_from_the_ledger_prints_party_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    from shailoo.simulate import kyrgyz_2020

    sim = kyrgyz_2020(seed=3, n_stations=60)
    sim.write_parties_csv(tmp_path / "parties.csv")
    sim.write_stations_csv(tmp_path / "stations.csv")
    sim.write_csv(tmp_path / "sim.csv")
    with (
        (tmp_path / "sim.csv").open(encoding="utf-8") as f,
        (tmp_path / "p.csv").open("w", newline="", encoding="utf-8") as g,
    ):
        r = csv.DictReader(f)
        fields = [c for c in r.fieldnames or [] if c not in ("region", "district")]
        w = csv.DictWriter(g, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(r)
    db = str(tmp_path / "kg.db")
    init = ["init", "--db", db, "--law", "kg-2020", "--parties", str(tmp_path / "parties.csv")]
    init += ["--stations", str(tmp_path / "stations.csv"), "--id", "kg", "--name", "KG"]
    init += ["--date", "2020-10-04", "--author", "cec"]
    assert main(init) == 0
    assert main(["import", "--db", db, "--quiet", str(tmp_path / "p.csv")]) == 0
    with (tmp_path / "parties.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    names = {row["id"]: row["name"] for row in rows}
    assert any(i != n for i, n in names.items())  # ids and names differ, or the test is empty
    capsys.readouterr()
    assert main(["seats", "--db", db]) == 0
    out = capsys.readouterr().out
    seats_line = next(ln for ln in out.splitlines() if ln.startswith("Seats: "))
    winners = [part.rsplit(" ", 1)[0] for part in seats_line[7:].split(", ")]
    assert winners and all(w in names.values() for w in winners), seats_line
    assert main(["seats", "--db", db, "--json"]) == 0
    js = json.loads(capsys.readouterr().out)
    assert set(js["seats"]) <= set(names)  # the keys stay ids
    assert js["party_names"] == {i: names[i] for i in js["seats"]}
