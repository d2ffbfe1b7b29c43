"""The commands end to end on a Kyrgyz-2020-shaped election: init, import, verify, export,
history, results; bad rows reported with file, line, column, code and values."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from shailoo.cli import main
from shailoo.io.canonical import write_protocols_csv, write_protocols_xlsx
from shailoo.simulate import kyrgyz_2020


@pytest.fixture(scope="module")
def sim():  # type: ignore[no-untyped-def]
    return kyrgyz_2020(seed=7)


def setup_files(folder: Path, sim) -> None:  # type: ignore[no-untyped-def]
    e = sim.election
    with (folder / "parties.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "name"])
        w.writerows([p.id, p.name] for p in e.parties)
    with (folder / "stations.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["station", "region", "district", "registered", "address"])
        w.writerows(
            [s.id, s.region, s.district, s.registered, f"school {s.id}"] for s in e.stations
        )


def init(folder: Path, db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code = main(
        [
            "init",
            "--db",
            str(db),
            "--law",
            "kg-2020",
            "--parties",
            str(folder / "parties.csv"),
            "--stations",
            str(folder / "stations.csv"),
            "--name",
            "Jogorku Kenesh 2020",
            "--date",
            "2020-10-04",
            "--id",
            "kg-2020",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "16 parties, 2460 stations in 9 regions" in out
    return out


def test_kyrgyz_2020_from_csv_and_xlsx(
    tmp_path: Path, sim, capsys: pytest.CaptureFixture[str]
) -> None:  # type: ignore[no-untyped-def]
    setup_files(tmp_path, sim)
    ids = sim.election.party_ids
    with (tmp_path / "protocols.csv").open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, sim.protocols, ids)
    write_protocols_xlsx(tmp_path / "protocols.xlsx", sim.protocols, ids)
    totals = []
    for name in ("protocols.csv", "protocols.xlsx"):
        db = tmp_path / f"{name}.db"
        init(tmp_path, db, capsys)
        assert (db.with_name(db.name + ".key").stat().st_mode & 0o777) == 0o600
        assert main(["import", "--db", str(db), "--quiet", str(tmp_path / name)]) == 0
        out = capsys.readouterr().out
        assert "2460 recorded" in out and "0 rejected" in out and "signed" in out
        assert main(["results", "--db", str(db), "--json"]) == 0
        t = json.loads(capsys.readouterr().out)
        assert t["stations_reported"] == t["stations"] == 2460
        assert t["ballots_cast"] == sum(p.ballots_cast for p in sim.protocols)
        totals.append(t)
        assert main(["verify", "--db", str(db)]) == 0
        capsys.readouterr()
    assert totals[0]["votes"] == totals[1]["votes"]


def small_election(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, list[str]]:
    from shailoo.intake.sample import write_setup_files

    parties, _ = write_setup_files(str(tmp_path), 20, 3)
    db = tmp_path / "e.db"
    assert (
        main(
            [
                "init",
                "--db",
                str(db),
                "--law",
                "kg-2020",
                "--parties",
                str(tmp_path / "parties.csv"),
                "--stations",
                str(tmp_path / "stations.csv"),
                "--id",
                "t",
            ]
        )
        == 0
    )
    capsys.readouterr()
    return db, [p.id for p in parties]


def test_bad_rows_are_reported_and_good_rows_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shailoo.intake.sample import sample_protocols, sample_stations

    db, ids = small_election(tmp_path, capsys)
    good = list(sample_protocols(sample_stations(20), tuple(ids)))
    path = tmp_path / "day.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, good[:5], ids)
        fh.write("s000006,10,10,5,5,0,0,5,0,x,,,\n")  # line 7: not a number
        fh.write("s000007,10,10,6,6,0,0,5,0,0,,,\n")  # line 8: does not add up
        fh.write(f"{good[0].station},1,1,1,1,0,0,1,0,0,,,\n")  # line 9: station twice
    assert main(["import", "--db", str(db), "--quiet", str(path)]) == 1
    out = capsys.readouterr().out
    assert "5 recorded" in out and "3 rejected" in out
    report = tmp_path / "day.rejected.csv"
    rows = sorted(csv.DictReader(report.open(encoding="utf-8")), key=lambda r: int(r["line"]))
    assert [(r["line"], r["column"], r["code"]) for r in rows] == [
        ("7", "p03", "P001"),
        ("8", "ballots_cast", "P101"),
        ("9", "station", "P202"),
    ]
    assert all(r["file"] == str(path) for r in rows)
    assert json.loads(rows[0]["values"]) == {"value": "x"}
    assert json.loads(rows[1]["values"])["difference"] == 1
    # the same file again adds nothing and still reports the same rows
    assert main(["import", "--db", str(db), "--quiet", str(path)]) == 1
    assert "0 recorded" in capsys.readouterr().out
    assert main(["history", "--db", str(db), good[0].station]) == 0
    assert "1 version(s)" in capsys.readouterr().out


def test_unreadable_file_exits_2_and_records_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, ids = small_election(tmp_path, capsys)
    path = tmp_path / "bad.csv"
    path.write_text(
        "station,registered,ballots_received,ballots_issued,ballots_cast,invalid,against_all,p01,p02,p03,p04\n1,1,1,1,1,0,0,1,0,0,0\n"
    )
    assert main(["import", "--db", str(db), "--quiet", str(path)]) == 2
    err = capsys.readouterr().err
    assert "p04" in err and "P004" in err and "Traceback" not in err
    (tmp_path / "empty.csv").write_text("")
    assert main(["import", "--db", str(db), "--quiet", str(tmp_path / "empty.csv")]) == 2
    assert "empty" in capsys.readouterr().err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM ledger_event").fetchone()[0] == 1


def test_direct_edit_is_named_by_verify_and_export_verifies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shailoo.intake.sample import sample_protocols, sample_stations

    db, ids = small_election(tmp_path, capsys)
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, sample_protocols(sample_stations(20), tuple(ids)), ids)
    assert main(["import", "--db", str(db), "--quiet", str(path)]) == 0
    ledger = tmp_path / "t.ledger.jsonl"
    assert main(["export", "--db", str(db), "-o", str(ledger)]) == 0
    assert main(["verify", "--file", str(ledger), "--public-key", str(db) + ".key.pub"]) == 0
    capsys.readouterr()
    # an edit directly in SQLite: one vote moved in event 7
    conn = sqlite3.connect(db)
    payload = json.loads(
        conn.execute("SELECT payload FROM ledger_event WHERE seq = 7").fetchone()[0]
    )
    payload["votes"]["p01"] += 1
    conn.execute("UPDATE ledger_event SET payload = ? WHERE seq = 7", (json.dumps(payload),))
    conn.commit()
    assert main(["verify", "--db", str(db)]) == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "event 7" in out
    # the same in the exported file
    lines = ledger.read_text(encoding="utf-8").splitlines()
    lines[-3] = lines[-3].replace('"p01":', '"p01":1')
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["verify", "--file", str(ledger)]) == 1
    assert "FAILED" in capsys.readouterr().out


def test_manifest_json_import_correction_and_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from shailoo.intake.sample import sample_protocols, write_setup_files

    parties, stations = write_setup_files(str(tmp_path), 4, 2)
    (tmp_path / "election.toml").write_text(
        'id = "jk-2020"\nname = "JK"\ndate = 2020-10-04\nlaw = "kg-2020"\n'
        'parties = "parties.csv"\nstations = "stations.csv"\n'
    )
    db = tmp_path / "m.db"
    assert main(["init", "--db", str(db), "--manifest", str(tmp_path / "election.toml")]) == 0
    assert "election jk-2020" in capsys.readouterr().out
    ids = tuple(p.id for p in parties)
    ps = list(sample_protocols(stations, ids))
    path = tmp_path / "day.jsonl"
    from shailoo.io.canonical import write_protocols_jsonl

    with path.open("w", encoding="utf-8") as fh:
        write_protocols_jsonl(fh, ps)
    assert main(["import", "--db", str(db), "--quiet", str(path)]) == 0
    capsys.readouterr()
    # a correction of station 1 with a reason, as a one-row CSV
    p = ps[0]
    fixed = p.__class__(
        **{
            **p.__dict__,
            "votes": {ids[0]: p.votes[ids[0]] - 2, ids[1]: p.votes[ids[1]] + 2},
            "reason": "recount",
        }
    )
    corr = tmp_path / "corr.csv"
    with corr.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, [fixed], ids)
    assert main(["import", "--db", str(db), "--quiet", str(corr)]) == 0
    assert "1 recorded (1 corrections)" in capsys.readouterr().out
    assert main(["results", "--db", str(db), "--json"]) == 0
    t = json.loads(capsys.readouterr().out)
    assert t["votes"][ids[0]] == sum(x.votes[ids[0]] for x in ps) - 2
    assert t["stations_reported"] == 4
    assert main(["history", "--db", str(db), p.station]) == 0
    out = capsys.readouterr().out
    assert "2 version(s)" in out and "reason: recount" in out
    assert main(["export", "--db", str(db), "-o", "-"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0])["format"] == "shailoo-ledger" and len(lines) == 1 + 3 + 6


def test_postgres_init_needs_a_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from shailoo.intake.sample import write_setup_files

    write_setup_files(str(tmp_path), 2, 2)
    monkeypatch.delenv("SHAILOO_KEY", raising=False)
    code = main(
        [
            "init",
            "--db",
            "postgresql://postgres@127.0.0.1:5432/test",
            "--law",
            "kg-2020",
            "--parties",
            str(tmp_path / "parties.csv"),
            "--stations",
            str(tmp_path / "stations.csv"),
        ]
    )
    assert code == 2
    assert "--key" in capsys.readouterr().err
