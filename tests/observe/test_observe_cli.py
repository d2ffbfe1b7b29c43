"""The observer commands end to end on a SQLite ledger set up by ``shailoo init`` / ``import``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from shailoo.cli import main
from shailoo.io.canonical import write_protocols_csv
from shailoo.simulate import SimulatedElection, kyrgyz_2020


def _csv(path: Path, protocols, parties) -> Path:  # type: ignore[no-untyped-def]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        write_protocols_csv(fh, protocols, parties)
    return path


@pytest.fixture(scope="module")
def election(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, SimulatedElection]:
    d = tmp_path_factory.mktemp("cli")
    sim = kyrgyz_2020(3, rewritten=0.1, n_stations=300)
    sim.write_stations_csv(d / "stations.csv")
    sim.write_parties_csv(d / "parties.csv")
    db = d / "e.db"
    assert (
        main(
            [
                "init",
                "--db",
                str(db),
                "--law",
                "kg-2020",
                "--parties",
                str(d / "parties.csv"),
                "--stations",
                str(d / "stations.csv"),
                "--date",
                "2020-10-04",
                "--id",
                "kg-2020",
                "--author",
                "cec",
            ]
        )
        == 0
    )
    official = _csv(d / "official.csv", sim.protocols, sim.party_ids)
    assert main(["import", "--db", str(db), str(official)]) == 0
    return db, sim


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def record_copies(
    capsys: pytest.CaptureFixture[str], db: Path, observer: str, path: Path
) -> tuple[int, str, str]:
    """``observer copies`` of the protocol copies in ``path``, dated election day."""
    return run(
        capsys, "observer", "copies", observer, str(path), "--date", "2020-10-04", "--db", str(db)
    )


def incident_add(
    capsys: pytest.CaptureFixture[str], db: Path, station: str, category: str, *options: str
) -> tuple[int, str, str]:
    """``incident add`` at ``station`` in ``category`` with the other ``options`` as given."""
    return run(
        capsys, "incident", "add", "--station", station, "--category", category, *options,
        "--db", str(db),
    )  # fmt: skip


def pvt_design(capsys: pytest.CaptureFixture[str], db: Path, *options: str) -> tuple[int, str, str]:
    """``pvt design`` with ``options`` as given."""
    return run(capsys, "pvt", "design", *options, "--db", str(db))


def test_observer_workflow(election, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db, sim = election
    stations = sim.election.stations
    district = stations[0].district
    in_district = [s.id for s in stations if s.district == district]
    other = next(s.id for s in stations if s.district != district)
    code, out, _ = run(
        capsys,
        "observer",
        "accredit",
        "kloop-1",
        "--organisation",
        "Kloop",
        "--name",
        "Aida",
        "--district",
        district,
        "--from",
        "2020-10-01",
        "--to",
        "2020-10-10",
        "--db",
        str(db),
        "--author",
        "cec",
    )
    assert code == 0 and "accredited kloop-1" in out
    code, out, _ = run(capsys, "observer", "list", "--json", "--db", str(db))
    assert json.loads(out)[0]["scope"]["districts"] == [district]

    # copies outside the scope are refused with exit 1 and a one-line reason, nothing written
    true = {p.station: p for p in sim.true_protocols}
    outside = _csv(tmp_path / "outside.csv", [true[other]], sim.party_ids)
    code, _, err = record_copies(capsys, db, "kloop-1", outside)
    assert code == 1 and "kloop-1" in err and other in err and "Traceback" not in err
    inside = _csv(tmp_path / "inside.csv", [true[s] for s in in_district], sim.party_ids)
    code, out, err = record_copies(capsys, db, "kloop-1", inside)
    assert code == 0, err
    assert f"{len(in_district)} copies recorded" in out

    # reconciliation: exactly the rewritten stations of the district are disputed
    rewritten = {s for s, k in sim.truth.items() if "rewritten" in k} & set(in_district)
    code, out, _ = run(capsys, "reconcile", "list", "--disputed", "--json", "--db", str(db))
    assert {r["station"] for r in json.loads(out)} == rewritten
    if rewritten:
        sid = sorted(rewritten)[0]
        code, out, _ = run(capsys, "reconcile", "show", sid, "--db", str(db))
        assert "disputed" in out and "observer:kloop-1" in out
        code, out, _ = run(
            capsys,
            "reconcile",
            "resolve",
            sid,
            "--accept",
            "observer:kloop-1",
            "--reason",
            "recount",
            "--db",
            str(db),
            "--author",
            "cec",
        )
        assert code == 0
        code, out, _ = run(capsys, "reconcile", "show", sid, "--json", "--db", str(db))
        assert json.loads(out)["disputed"] is False

    # lower bounds (photographed ballots) from a CSV file
    official = {p.station: p for p in sim.protocols}
    party = sim.party_ids[0]
    target = in_district[-1]
    bounds = tmp_path / "bounds.csv"
    bounds.write_text(f"station,{party}\n{target},{official[target].votes[party] + 3}\n")
    code, out, err = run(
        capsys,
        "observer",
        "bounds",
        "kloop-1",
        str(bounds),
        "--date",
        "2020-10-04",
        "--note",
        "photographed ballots",
        "--db",
        str(db),
    )
    assert code == 0 and "1 lower bounds recorded" in out, err
    code, out, _ = run(capsys, "reconcile", "show", target, "--db", str(db))
    assert "disputed" in out and "proven minimum" in out and "missing at least 3" in out
    bounds.write_text(f"station,{party},nobody\n{target},1,2\n")
    code, _, err = run(
        capsys,
        "observer",
        "bounds",
        "kloop-1",
        str(bounds),
        "--date",
        "2020-10-04",
        "--db",
        str(db),
    )
    assert code == 2 and "bounds.csv:2" in err and "'nobody'" in err
    bounds.write_text(f"station,{party}\n{target},x\n")
    code, _, err = run(capsys, "observer", "bounds", "kloop-1", str(bounds), "--db", str(db))
    assert code == 2 and "bounds.csv:2" in err and "not-an-integer" in err

    # incidents with evidence
    photo = tmp_path / "p.jpg"
    photo.write_bytes(b"photo bytes")
    code, out, err = incident_add(
        capsys,
        db,
        in_district[0],
        "vote-buying",
        "--time",
        "2020-10-04T09:30",
        "--description",
        "cash offered",
        "--observer",
        "kloop-1",
        "--evidence",
        str(photo),
    )
    assert code == 0, err
    iid = out.split()[1]
    assert (Path(f"{db}.evidence") / out.split("sha256 ")[1].strip()).exists()
    code, _, err = incident_add(
        capsys,
        db,
        other,
        "vote-buying",
        "--time",
        "2020-10-04",
        "--description",
        "x",
        "--observer",
        "kloop-1",
    )
    assert code == 1 and "not accredited for station" in err
    code, _, err = incident_add(
        capsys, db, other, "gossip", "--time", "2020-10-04", "--description", "x"
    )
    assert code == 2 and "bad-category" in err
    code, out, _ = run(
        capsys,
        "incident",
        "update",
        iid,
        "--status",
        "confirmed",
        "--response",
        "PEC chair dismissed",
        "--db",
        str(db),
    )
    assert code == 0 and "confirmed" in out
    code, out, _ = run(capsys, "incident", "show", iid, "--json", "--db", str(db))
    assert json.loads(out)["status"] == "confirmed"
    code, out, _ = run(capsys, "incident", "list", "--db", str(db))
    assert iid in out

    # evidence view
    code, out, _ = run(capsys, "evidence", in_district[0], "--json", "--db", str(db))
    view = json.loads(out)
    assert view["incidents"][0]["incident_id"] == iid
    assert "observer:kloop-1" in view["sources"]
    assert view["forensic_risk"] is None  # not computed unless asked: the view stays fast
    code, out, _ = run(capsys, "evidence", in_district[0], "--risk", "--json", "--db", str(db))
    risk = json.loads(out)["forensic_risk"]
    assert 0 <= risk["score"] <= 1 and 1 <= risk["rank"] <= risk["of"] == len(stations)
    assert set(risk["raised"]) <= set(risk["signals"])
    scores = tmp_path / "scores.csv"
    scores.write_text(
        f"station,risk,turnout_outlier,raised\n{in_district[0]},0.8125,0.9,turnout_outlier\n"
    )
    code, out, _ = run(
        capsys, "evidence", in_district[0], "--risk-scores", str(scores), "--db", str(db)
    )
    assert "cash offered" in out and "PEC chair dismissed" in out
    assert "Forensic risk: 0.81" in out and "turnout_outlier" in out
    scores.write_text("station,score\n")
    code, _, err = run(
        capsys, "evidence", in_district[0], "--risk-scores", str(scores), "--db", str(db)
    )
    assert code == 2 and "scores.csv:1" in err and "missing-column" in err


def test_pvt_workflow(election, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    db, sim = election
    code, out, err = pvt_design(
        capsys, db, "--margin", "0.03", "--design-effect", "10", "--seed", "5"
    )
    assert code == 0, err
    code, out, _ = run(capsys, "pvt", "sample", "--json", "--db", str(db))
    sample = json.loads(out)["sample"]
    assert json.loads(out)["design_effect"] == "10.0"
    # a second draw is refused without a reason, so nobody redraws until a sample pleases
    code, _, err = pvt_design(capsys, db, "--margin", "0.05")
    assert code == 1 and "--replace" in err
    # the design effect measured on an election in the database (here the same one)
    code, out, err = pvt_design(
        capsys,
        db,
        "--margin",
        "0.05",
        "--design-effect-from",
        "kg-2020",
        "--seed",
        "5",
        "--replace",
        "deff measured",
    )
    assert code == 0, err
    measured = float(out.split("design effect ")[1].split(")")[0])
    assert measured > 1
    code, _, err = pvt_design(
        capsys, db, "--margin", "0.05", "--design-effect-from", "nope", "--replace", "x"
    )
    assert code == 2 and "nope" in err
    # back to the first design for the estimate below
    code, out, err = pvt_design(
        capsys,
        db,
        "--margin",
        "0.03",
        "--design-effect",
        "10",
        "--seed",
        "5",
        "--replace",
        "back to the first",
    )
    assert code == 0, err
    code, out, _ = run(capsys, "pvt", "sample", "--json", "--db", str(db))
    assert json.loads(out)["sample"] == sample
    code, _, err = run(capsys, "pvt", "estimate", "--db", str(db))
    assert code == 2 and "too few" in err  # no copies yet
    wide = ["--district", *sorted({s.district for s in sim.election.stations})]
    args = ["observer", "accredit", "pvt-net", "--organisation", "Taza Shailoo", "--name", "net"]
    args += [x for d in wide[1:] for x in ("--district", d)]
    code, _, err = run(capsys, *args, "--from", "2020-10-04", "--to", "2020-10-05", "--db", str(db))
    assert code == 0, err
    true = {p.station: p for p in sim.true_protocols}
    copies = _csv(tmp_path / "pvt.csv", [replace(true[s]) for s in sample], sim.party_ids)
    code, _, err = record_copies(capsys, db, "pvt-net", copies)
    assert code == 0, err
    code, out, _ = run(capsys, "pvt", "estimate", "--json", "--db", str(db))
    report = json.loads(out)
    assert report["estimate"]["stations_reported"] == len(sample)
    assert report["designs_recorded"] == 3
    outside = set(report["outside"])
    assert set(report["outside_adjusted"]) <= outside
    assert code == (1 if report["outside_adjusted"] else 0)
    code, out, _ = run(capsys, "pvt", "estimate", "--db", str(db))
    assert "Birimdik" in out and "turnout" in out and "drawn 3 times" in out
    assert "Adjusted for 17 figures" in out
