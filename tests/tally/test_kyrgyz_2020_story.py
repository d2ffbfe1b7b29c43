"""The Kyrgyz 2020 story end to end, through the command line, on synthetic protocols.

Import the 4 October protocols, read results and seats, annul the whole election with its reason
(as the CEC did on 6 October 2020), create the re-run with one party withdrawn, import its
protocols, read its results and seats — and find every step in the history of both ledgers.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shailoo.cli import main
from shailoo.domain.events import (
    DECISION_MADE,
    ELECTION_DEFINED,
    ELECTION_REPLACED,
    PROTOCOL_RECORDED,
)
from shailoo.ledger import open_store
from shailoo.simulate import kyrgyz_2020

STATIONS = 240  # a scaled-down country keeps the test fast; the shape is the real one


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def canonical(
    src: Path, dst: Path, withdrawn: str | None = None, shift: tuple[str, str] | None = None
) -> None:
    """The simulator's CSV as the canonical protocol file (no region/district columns)."""
    drop = {"region", "district", withdrawn}
    with src.open(encoding="utf-8") as f, dst.open("w", newline="", encoding="utf-8") as g:
        r = csv.DictReader(f)
        fields = [c for c in r.fieldnames or [] if c not in drop]
        w = csv.DictWriter(g, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        for row in r:
            if withdrawn is not None:
                # the withdrawn party's voters vote against all in this synthetic re-run
                gone = int(row.pop(withdrawn))
                row["against_all"] = str(int(row["against_all"]) + gone)
            if shift is not None:
                # a different vote in January: a fifth of one party's voters go to another
                moved = int(row[shift[0]]) // 5
                row[shift[0]] = str(int(row[shift[0]]) - moved)
                row[shift[1]] = str(int(row[shift[1]]) + moved)
            w.writerow(row)


def test_annulment_and_rerun_story(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "kg.db")
    sim = kyrgyz_2020(seed=7, n_stations=STATIONS)
    n = sim.n_stations
    sim.write_parties_csv(tmp_path / "parties.csv")
    sim.write_stations_csv(tmp_path / "stations.csv")
    sim.write_csv(tmp_path / "oct4-sim.csv")
    canonical(tmp_path / "oct4-sim.csv", tmp_path / "oct4.csv")
    code, out, err = run(
        capsys,
        "init",
        "--db",
        db,
        "--law",
        "kg-2020",
        "--parties",
        str(tmp_path / "parties.csv"),
        "--stations",
        str(tmp_path / "stations.csv"),
        "--id",
        "kg-2020",
        "--name",
        "Jogorku Kenesh 2020",
        "--date",
        "2020-10-04",
        "--author",
        "cec",
    )
    assert code == 0, err
    code, out, err = run(capsys, "import", "--db", db, "--quiet", str(tmp_path / "oct4.csv"))
    assert code == 0, err

    # results: every station reported; totals equal the sum of the protocols
    code, out, err = run(capsys, "results", "--db", db, "--json")
    assert code == 0, err
    res = json.loads(out)
    nation = res["unit"]
    assert nation["stations_reported"] == n and nation["stations_missing"] == 0
    protos = sim.protocols
    assert nation["ballots_cast"] == sum(p.ballots_cast for p in protos)
    assert nation["votes"] == {pid: sum(p.votes[pid] for p in protos) for pid in sim.party_ids}
    assert len(res["subunits"]) == 9  # the 7 oblasts and the cities of Bishkek and Osh

    code, out, err = run(capsys, "seats", "--db", db, "--json")
    assert code == 0, err
    seats = json.loads(out)["seats"]
    assert sum(seats.values()) == 120

    # 6 October 2020: the CEC annuls the whole election
    code, out, err = run(
        capsys,
        "decide",
        "annul",
        "--db",
        db,
        "--level",
        "election",
        "--reason",
        "protests; reports of vote buying; results invalidated",
        "--article",
        "Constitutional law on elections, art. 42",
        "--basis-text",
        "The CEC declares the elections invalid where violations ...",
        "--for",
        "9",
        "--against",
        "0",
        "--abstained",
        "2",
        "--date",
        "2020-10-06",
        "--author",
        "cec",
    )
    assert code == 0, err
    assert "D1" in out
    code, out, err = run(capsys, "seats", "--db", db)
    assert code == 1 and "annulled by decision D1" in err and "no seats" in err
    assert "Traceback" not in err
    code, out, err = run(capsys, "results", "--db", db, "--json")
    res = json.loads(out)
    assert res["annulled"] and res["unit"]["votes"][sim.party_ids[0]] == 0
    assert res["unit_as_reported"]["votes"] == nation["votes"]  # still readable

    # the re-run: same structure and law, one party withdraws
    withdrawn = sim.party_ids[-1]
    code, out, err = run(
        capsys,
        "rerun",
        "--db",
        db,
        "--date",
        "2021-01-10",
        "--withdraw",
        withdrawn,
        "--author",
        "cec",
        "--json",
    )
    assert code == 0, err
    info = json.loads(out)
    rerun_id = info["election"]
    assert withdrawn not in info["parties"] and info["stations"] == n
    # the same voters (same lists) vote again, differently
    shift = (sim.party_ids[0], sim.party_ids[4])
    canonical(tmp_path / "oct4-sim.csv", tmp_path / "jan10.csv", withdrawn, shift)
    code, out, err = run(
        capsys, "import", "--db", db, "--election", rerun_id, "--quiet", str(tmp_path / "jan10.csv")
    )
    assert code == 0, err
    code, out, err = run(capsys, "results", "--db", db, "--json")  # the re-run is now current
    res2 = json.loads(out)
    assert res2["election"] == rerun_id and res2["unit"]["stations_reported"] == n
    assert res2["replaces"]["election_id"] == "kg-2020"
    code, out, err = run(capsys, "seats", "--db", db, "--json")
    assert code == 0, err
    seats2 = json.loads(out)["seats"]
    assert sum(seats2.values()) == 120 and withdrawn not in seats2

    code, out, err = run(capsys, "margin", "--db", db, "--json")
    assert code == 0, err
    m = json.loads(out)
    assert m["margin"]["votes"] > 0 and m["disputed"]["ballots"] == 0

    # history: both ledgers show every step, linked both ways
    code, out, err = run(capsys, "decide", "list", "--db", db, "--election", "kg-2020")
    assert "D1" in out and "art. 42" in out and "9 for, 0 against, 2 abstained" in out
    with open_store(db) as store:
        old_kinds = [e.kind for e in store.events("kg-2020")]
        new_events = list(store.events(rerun_id))
        old_head = store.head("kg-2020")
    assert old_kinds[0] == ELECTION_DEFINED and old_kinds.count(PROTOCOL_RECORDED) == n
    assert old_kinds[-2:] == [DECISION_MADE, ELECTION_REPLACED]
    assert new_events[0].kind == ELECTION_DEFINED
    assert old_head is not None
    assert new_events[0].payload["replaces"]["final_hash"] == old_head.hash
    code, out, err = run(capsys, "verify", "--db", db)
    assert code == 0, out + err

    # exports of both elections
    code, out, err = run(
        capsys,
        "export-results",
        "--db",
        db,
        "--election",
        "kg-2020",
        "--format",
        "nist",
        "--out",
        str(tmp_path / "old.json"),
    )
    assert code == 0 and "no seats" in err
    old = json.loads((tmp_path / "old.json").read_text())
    assert "D1" in old["Notes"] and "replaced by" in old["Notes"]
    code, out, err = run(
        capsys,
        "export-results",
        "--db",
        db,
        "--format",
        "parquet",
        "--out",
        str(tmp_path / "new.parquet"),
    )
    assert code == 0, err
