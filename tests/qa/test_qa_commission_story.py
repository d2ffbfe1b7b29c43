"""The story a commission runs, end to end, through the command line only.

init with parties.csv and stations.csv; import half the protocols as CSV and half as XLSX;
results by nation, region and district; seats; annul a district with its reason and legal basis
(results and seats change); revoke (they come back); annul again and re-run that district (its
new protocols take the place of the annulled ones); margin; exports (NIST, CSV, Parquet, the
ledger); verify the exported ledger (and a tampered copy); history; an incident with evidence;
the station's evidence; forensics on the ledger; publish. Every figure is checked against the
protocol files, not against Shailoo's own output.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any

import pytest

from shailoo.cli import main

SCHEMA = (
    Path(os.environ.get("SHAILOO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
    / "standards/nist-1500-100-v2/NIST_V2_election_results_reporting.json"
)
DECISION = ["--article", "art. 42", "--basis-text", "The CEC annuls where violations..."]


def _cli(capsys: pytest.CaptureFixture[str], *argv: str, code: int = 0) -> str:
    capsys.readouterr()
    got = main(list(argv))
    out, err = capsys.readouterr()
    assert got == code, f"shailoo {' '.join(argv)} -> {got}\n{err}"
    assert "Traceback" not in err
    return out


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _sums(rows: list[dict[str, str]], keys: list[str]) -> dict[str, int]:
    return {k: sum(int(r[k]) for r in rows) for k in keys}


@pytest.mark.slow
def test_the_commission_story(
    qa_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl
    import pyarrow.parquet as pq

    db = str(tmp_path / "kg.db")
    parties = _read(qa_files / "parties.csv")
    pids = [p["id"] for p in parties]
    names = {p["id"]: p["name"] for p in parties}
    stations = {s["station"]: s for s in _read(qa_files / "stations.csv")}
    protocols = _read(qa_files / "protocols.csv")
    keys = ["registered", "ballots_cast", "invalid", "against_all", *pids]

    # --- set-up and import: a CSV and an XLSX ------------------------------------------------
    _cli(capsys, "init", "--db", db, "--law", "kg-2020", "--date", "2020-10-04",
         "--parties", str(qa_files / "parties.csv"), "--stations", str(qa_files / "stations.csv"))  # fmt: skip
    half = len(protocols) // 2
    first, second = tmp_path / "first.csv", tmp_path / "second.xlsx"
    with open(first, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(protocols[0]))
        w.writeheader()
        w.writerows(protocols[:half])
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(protocols[0]))
    for r in protocols[half:]:
        ws.append([r["station"], *(int(v) for k, v in r.items() if k != "station")])
    wb.save(second)
    assert f"{half} recorded" in _cli(capsys, "import", "--db", db, "--quiet", str(first))
    assert f"{len(protocols) - half} recorded" in _cli(
        capsys, "import", "--db", db, "--quiet", str(second)
    )
    # importing again adds nothing
    assert "0 recorded" in _cli(capsys, "import", "--db", db, "--quiet", str(first))

    # --- results: nation, a region, a district, each equal to the sums of the files ----------
    def results(*unit: str) -> dict[str, Any]:
        return json.loads(_cli(capsys, "results", "--db", db, *unit, "--json"))["unit"]

    def expect(rows: list[dict[str, str]], unit: dict[str, Any]) -> None:
        want = _sums(rows, keys)
        assert {k: unit[k] for k in keys[:4]} == {k: want[k] for k in keys[:4]}
        assert unit["votes"] == {p: want[p] for p in pids}

    expect(protocols, results())
    region = stations[protocols[0]["station"]]["region"]
    district = stations[protocols[0]["station"]]["district"]
    in_region = [r for r in protocols if stations[r["station"]]["region"] == region]
    in_district = [r for r in protocols if stations[r["station"]]["district"] == district]
    outside = [r for r in protocols if stations[r["station"]]["district"] != district]
    expect(in_region, results("--region", region))
    expect(in_district, results("--district", district))

    # the readable table: names, thousands separators, percentages
    text = _cli(capsys, "results", "--db", db)
    cast = sum(int(r["ballots_cast"]) for r in protocols)
    assert f"{cast:,}" in text and " %" in text
    leader = max(pids, key=lambda p: sum(int(r[p]) for r in protocols))
    assert names[leader] in text

    def seats() -> dict[str, int]:
        return dict(json.loads(_cli(capsys, "seats", "--db", db, "--json"))["seats"])

    before = seats()
    assert sum(before.values()) == 120

    # --- annul a district: it drops out of results and seats ---------------------------------
    out = _cli(capsys, "decide", "annul", "--db", db, "--level", "district", "--unit", district,
               "--reason", "vote buying", *DECISION, "--for", "9", "--against", "2",
               "--date", "2020-10-06")  # fmt: skip
    assert "D1" in out and "vote buying" in out and "art. 42" in out
    nation = results()
    expect(outside, nation)
    assert nation["stations_annulled"] == len(in_district)
    annulled = results("--district", district)
    assert annulled["annulled"] and annulled["annulled_by"] == ["D1"]
    after = seats()
    assert sum(after.values()) == 120 and after != before  # the district weighs enough here
    assert "ANNULLED by D1" in _cli(capsys, "results", "--db", db, "--district", district)

    # --- revoke: everything comes back -------------------------------------------------------
    _cli(capsys, "decide", "revoke", "--db", db, "D1", "--reason", "court ruling", *DECISION,
         "--for", "8", "--date", "2020-10-20")  # fmt: skip
    expect(protocols, results())
    assert seats() == before
    assert "revoked by D2" in _cli(capsys, "decide", "list", "--db", db)

    # --- annul again and re-run the district: its new protocols replace the annulled ones ----
    _cli(capsys, "decide", "annul", "--db", db, "--level", "district", "--unit", district,
         "--reason", "vote buying", *DECISION, "--for", "9", "--date", "2020-10-21")  # fmt: skip
    out = _cli(capsys, "rerun", "--db", db, "--level", "district", "--ids", district,
               "--date", "2021-01-10", "--id", "rerun-1")  # fmt: skip
    assert f"district {district}" in out and "{" not in out
    rerun_rows = [dict(r) for r in in_district]
    for r in rerun_rows:  # a repeat vote: 10 fewer ballots for the leader everywhere
        r[leader] = str(int(r[leader]) - 10)
        r["ballots_cast"] = str(int(r["ballots_cast"]) - 10)
        r["ballots_issued"] = str(int(r["ballots_issued"]) - 10)
    rerun_file = tmp_path / "rerun.csv"
    with open(rerun_file, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rerun_rows[0]))
        w.writeheader()
        w.writerows(rerun_rows)
    _cli(capsys, "import", "--db", db, "--election", "rerun-1", "--quiet", str(rerun_file))
    eids = [e for e in _elections(db) if e != "rerun-1"]
    assert len(eids) == 1
    nation = json.loads(_cli(capsys, "results", "--db", db, "--election", eids[0], "--json"))[
        "unit"
    ]
    expect(outside + rerun_rows, nation)
    assert nation["stations_rerun"] == len(in_district)

    # --- margin ------------------------------------------------------------------------------
    m = json.loads(_cli(capsys, "margin", "--db", db, "--election", eids[0], "--json"))
    assert m["election"] == eids[0] and m["margin"]["votes"] > 0
    by_law = json.loads(_cli(capsys, "seats", "--db", db, "--election", eids[0], "--json"))
    assert m["seats"] == by_law["seats"]
    assert "moved from " in _cli(capsys, "margin", "--db", db, "--election", eids[0])

    # --- exports -----------------------------------------------------------------------------
    nist_path, csv_path, pq_path = tmp_path / "r.json", tmp_path / "r.csv", tmp_path / "r.parquet"
    e = ["--db", db, "--election", eids[0]]
    _cli(capsys, "export-results", *e, "--format", "nist", "--out", str(nist_path))
    report = json.loads(nist_path.read_text(encoding="utf-8"))
    if SCHEMA.exists():
        import jsonschema

        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        jsonschema.Draft4Validator(schema).validate(report)
    _cli(capsys, "export-results", *e, "--format", "csv", "--out", str(csv_path))
    rows = _read(csv_path)
    assert len(rows) == len(stations)
    counted = [r for r in rows if not r["annulled_by"] or r["rerun"]]
    _cli(capsys, "export-results", *e, "--format", "parquet", "--out", str(pq_path))
    table = pq.read_table(pq_path).to_pylist()
    assert len(table) == len(rows)
    assert sum(int(r[leader] or 0) for r in rows) == sum(int(r[leader] or 0) for r in table)
    assert counted

    ledger = tmp_path / "kg.ledger.jsonl"
    _cli(capsys, "export", *e, "-o", str(ledger))
    assert "OK" in _cli(capsys, "verify", "--file", str(ledger), "--quiet")
    lines = ledger.read_text(encoding="utf-8").splitlines()
    tampered = tmp_path / "tampered.jsonl"
    victim = next(i for i, line in enumerate(lines) if '"protocol.recorded"' in line)
    lines[victim] = lines[victim].replace(f'"{leader}":', f'"{leader}":1', 1)
    tampered.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _cli(capsys, "verify", "--file", str(tampered), "--quiet", code=1)

    # --- history, an incident, the station's evidence ----------------------------------------
    sid = outside[0]["station"]
    assert f"station {sid}" in _cli(capsys, "history", *e, sid)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"\xff\xd8\xff photo")
    out = _cli(capsys, "incident", "add", *e, "--station", sid, "--category", "vote-buying",
               "--time", "2020-10-04T11:20", "--description", "cash handed out",
               "--evidence", str(photo))  # fmt: skip
    assert "sha256" in out
    view = json.loads(_cli(capsys, "evidence", *e, sid, "--json"))
    assert view["station"]["id"] == sid
    assert any(i["description"] == "cash handed out" for i in view["incidents"])

    # --- forensics on the ledger, and the public site ----------------------------------------
    assert "stations" in _cli(capsys, "forensics", *e, "--quiet", "--replicates", "200")
    site = tmp_path / "site"
    _cli(capsys, "publish", *e, str(site))
    index = (site / "index.html").read_text(encoding="utf-8")
    assert names[leader] in index and "%" in index
    assert "cash handed out" in (site / "incidents.html").read_text(encoding="utf-8")


def _elections(db: str) -> list[str]:
    from shailoo.ledger import open_store

    with open_store(db, must_exist=True) as store:
        return list(store.elections())
