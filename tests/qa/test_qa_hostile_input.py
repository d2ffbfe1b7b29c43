"""Regression tests for defects found by running every command on hostile input.

Each test runs the real command line (``shailoo.cli.main``) on real files and a real SQLite
ledger and asserts the exit code, the one-line error and that nothing was created or lost.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shailoo.cli import main

# Commands that read or add to an existing election: a mistyped --db must not create a file.
NEEDS_A_DATABASE = [
    ["results"],
    ["margin"],
    ["decide", "list"],
    ["incident", "list"],
    ["observer", "list"],
    ["reconcile", "list"],
    ["pvt", "sample"],
    ["evidence", "0001"],
    ["export-results", "--format", "csv", "--out", "{tmp}/r.csv"],
    ["publish", "{tmp}/site"],
    ["user", "list"],
    ["verify", "--quiet"],
    ["rerun"],
    ["history", "0001"],
    ["export", "-o", "{tmp}/l.jsonl"],
]


@pytest.mark.parametrize("argv", NEEDS_A_DATABASE, ids=lambda a: " ".join(a[:2]))
def test_missing_database_is_an_error_and_is_not_created(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "typo.db"
    args = [a.format(tmp=tmp_path) for a in argv]
    assert main([*args, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "no database at" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    assert not db.exists(), "a command that only reads created an empty database"


def test_serve_refuses_a_missing_database_without_creating_it(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    assert main(["serve", "--db", str(db), "--port", "1"]) == 2
    assert not db.exists()


def test_verify_of_a_database_without_election_is_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "users-only.db")
    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    assert main(["user", "add", "ana", "--role", "admin", "--db", db]) == 0
    capsys.readouterr()
    assert main(["verify", "--db", db, "--quiet"]) == 2
    assert "shailoo verify: no election in this database" in capsys.readouterr().err


def test_user_add_without_terminal_or_password_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    monkeypatch.delenv("SHAILOO_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(["user", "add", "ana", "--role", "admin", "--db", str(tmp_path / "u.db")]) == 2
    assert "[no-password]" in capsys.readouterr().err


def test_init_refuses_a_date_that_is_not_in_the_calendar(
    qa_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "n.db"
    argv = ["init", "--db", str(db), "--law", "kg-2020", "--date", "2020-02-31"]
    argv += [
        "--parties",
        str(qa_files / "parties.csv"),
        "--stations",
        str(qa_files / "stations.csv"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "[date]" in err and "2020-02-31" in err
    assert not db.exists()


# --- observer lower bounds (observe/bounds_file.py) -------------------------------------------


def _accredit(db: Path) -> None:
    argv = ["observer", "accredit", "k1", "--organisation", "Kloop", "--name", "Aida"]
    argv += ["--station", "0001", "--station", "0002", "--from", "2020-10-01", "--to", "2020-10-10"]
    assert main([*argv, "--db", str(db)]) == 0


def _bounds(db: Path, path: Path) -> int:
    return main(["observer", "bounds", "k1", str(path), "--date", "2020-10-05", "--db", str(db)])


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        ("station,A\n0001,5\n".encode("utf-16"), "[encoding]"),
        (bytes(range(256)) * 4, "[encoding]"),
        (b"", "[empty-file]"),
        (b"station,A\n0001,5\n0001,6\n", "[duplicate]"),
    ],
    ids=["utf16", "binary", "empty", "duplicate-station"],
)
def test_bounds_file_refuses_bad_files_in_one_line(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, rule: str
) -> None:
    _accredit(qa_db)
    path = tmp_path / "bounds.csv"
    path.write_bytes(content)
    capsys.readouterr()
    assert _bounds(qa_db, path) == 2
    err = capsys.readouterr().err
    assert rule in err and str(path) in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_bounds_unknown_station_names_file_line_and_column(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _accredit(qa_db)
    path = tmp_path / "bounds.csv"
    path.write_text("station,A\n0001,5\n9999,6\n")
    capsys.readouterr()
    assert _bounds(qa_db, path) == 2
    err = capsys.readouterr().err
    assert f"{path}:3: column 'station': [unknown-station]" in err and "9999" in err
    # nothing of the refused file was recorded
    assert main(["reconcile", "list", "--db", str(qa_db)]) == 0
    assert "0001" not in capsys.readouterr().out


# --- Belarus Voice reader (io/belarus.py) -----------------------------------------------------


@pytest.mark.parametrize("kind", ["missing", "directory", "utf16", "not-gzip"])
def test_belarus_reader_refuses_unreadable_files(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "voice.csv"
    if kind == "directory":
        path.mkdir()
    elif kind == "utf16":
        path.write_bytes("id,x\n01-010-0001,1\n".encode("utf-16"))
    elif kind == "not-gzip":
        path = tmp_path / "voice.csv.gz"
        path.write_bytes(b"id,x\n01-010-0001,1\n")
    assert main(["reconcile", "belarus", str(path)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(path) in err
    assert "[unreadable]" in err or "[encoding]" in err


# --- commission decisions (commission/decisions.py, cli/decide.py) ----------------------------

DECIDE = ["--reason", "vote buying", "--article", "art. 42", "--basis-text", "may annul"]


def test_annul_a_district_without_naming_it_is_refused(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["decide", "annul", "--level", "district", *DECIDE, "--for", "9", "--db", str(qa_db)]
    assert main(argv) == 2
    assert "[unit]" in capsys.readouterr().err


def test_annul_the_election_with_a_unit_is_refused_as_ambiguous(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["decide", "annul", "--level", "election", "--unit", "Region 01 01", *DECIDE]
    assert main([*argv, "--for", "9", "--db", str(qa_db)]) == 2
    assert "takes no unit" in capsys.readouterr().err
    assert main(["decide", "list", "--db", str(qa_db)]) == 0
    assert "no decisions" in capsys.readouterr().out


def test_annul_the_election_reads_as_the_whole_election(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["decide", "annul", "--level", "election", *DECIDE, "--for", "9", "--db", str(qa_db)]
    assert main([*argv, "--date", "2020-10-06"]) == 0
    out = capsys.readouterr().out
    assert "annul the whole election" in out and "nation" not in out


def test_rerun_says_what_it_replaces_in_words_and_how_to_import(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["decide", "annul", "--level", "election", *DECIDE, "--for", "9", "--db", str(qa_db)]
    assert main(argv) == 0
    capsys.readouterr()
    assert main(["rerun", "--db", str(qa_db), "--date", "2021-01-10"]) == 0
    out = capsys.readouterr().out
    assert "{" not in out, out  # no Python dict printed
    assert "(the whole election)" in out
    assert f"shailoo import --db {qa_db} --election " in out


# --- readable output -------------------------------------------------------------------------


def test_results_name_the_leading_party_with_its_share(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["results", "--db", str(qa_db)]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.strip().startswith("Region ")]
    assert rows and all("Party " in r and r.rstrip().endswith("%") for r in rows), rows


def test_margin_names_parties(qa_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["margin", "--db", str(qa_db)]) == 0
    out = capsys.readouterr().out
    assert "seats Party " in out and "moved from Party " in out
    assert "stations /" not in out  # the old 'annulled 0 stations / 0' wording


# --- outputs the user names (cli/__init__.py, api/publish.py) --------------------------------


@pytest.mark.parametrize("fmt", ["nist", "csv", "parquet"])
@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_export_results_to_an_unwritable_path_is_one_line(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str, where: str
) -> None:
    out = tmp_path / "no" / "such" / "r.out" if where == "missing-folder" else tmp_path
    argv = ["export-results", "--db", str(qa_db), "--format", fmt, "--out", str(out)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("shailoo export-results: ") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_publish_into_a_file_is_refused(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "site.html"
    target.write_text("mine")
    assert main(["publish", "--db", str(qa_db), str(target)]) == 2
    assert "[not-a-folder]" in capsys.readouterr().err
    assert target.read_text() == "mine"


def test_publish_from_a_missing_database_leaves_no_folder(tmp_path: Path) -> None:
    assert main(["publish", "--db", str(tmp_path / "typo.db"), str(tmp_path / "site")]) == 2
    assert not (tmp_path / "site").exists()


def test_incident_evidence_that_is_a_folder_says_so(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["incident", "add", "--db", str(qa_db), "--station", "0001", "--category"]
    argv += [
        "vote-buying",
        "--time",
        "2020-10-04",
        "--description",
        "x",
        "--evidence",
        str(tmp_path),
    ]
    assert main(argv) == 2
    assert "is a folder" in capsys.readouterr().err


def test_after_a_partial_rerun_every_command_defaults_to_the_original(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(qa_db)
    argv = ["decide", "annul", "--db", db, "--level", "district", "--unit", "Region 02 01"]
    assert main([*argv, *DECIDE, "--for", "9"]) == 0
    assert main(["rerun", "--db", db, "--level", "district", "--ids", "Region 02 01"]) == 0
    capsys.readouterr()
    # station 0001 is not in the re-run (it covers one district only): these once failed
    assert main(["evidence", "--db", db, "0001"]) == 0
    assert main(["history", "--db", db, "0001"]) == 0
    incident = ["incident", "add", "--db", db, "--station", "0001", "--category", "procedural"]
    assert main([*incident, "--time", "2020-10-04", "--description", "late opening"]) == 0
    ledger = tmp_path / "l.jsonl"
    assert main(["export", "--db", db, "-o", str(ledger)]) == 0
    assert len(ledger.read_text().splitlines()) > 100  # the original's ledger, not the re-run's


@pytest.mark.parametrize(
    ("option", "rule"),
    [
        (["--port", "99999"], "[port]"),
        (["--port", "-1"], "[port]"),
        (["--workers", "0"], "[workers]"),
        (["--host", "999.1.1.1", "--port", "8799"], "[host]"),
    ],
)
def test_serve_refuses_impossible_addresses_in_one_line(
    qa_db: Path, capsys: pytest.CaptureFixture[str], option: list[str], rule: str
) -> None:
    assert main(["serve", "--db", str(qa_db), *option]) == 2
    err = capsys.readouterr().err
    assert rule in err and "Traceback" not in err


def test_evidence_risk_scores_in_utf16_is_one_line(
    qa_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scores = tmp_path / "risk.csv"
    scores.write_bytes("station,risk\n0001,0.5\n".encode("utf-16"))
    assert main(["evidence", "--db", str(qa_db), "0001", "--risk-scores", str(scores)]) == 2
    err = capsys.readouterr().err
    assert "[encoding]" in err and str(scores) in err


@pytest.mark.parametrize(
    "argv",
    [["seats", "{bin}", "{bin}"], ["forensics", "--quiet", "{csv}", "--map", "{bin}"]],
    ids=["law-file", "forensics-map"],
)
def test_a_binary_file_anywhere_is_one_line_not_a_traceback(
    qa_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    binary = tmp_path / "garbage.toml"
    binary.write_bytes(bytes(range(128, 256)) * 8)
    csv_file = str(qa_files / "protocols.csv")
    assert main([a.format(bin=binary, csv=csv_file) for a in argv]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_history_and_evidence_read_with_names_and_grouped_thousands(
    qa_db: Path, qa_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    with open(qa_files / "protocols.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["station"] == "0001")
    assert int(row["registered"]) >= 1000  # so that grouping shows
    assert main(["history", "--db", str(qa_db), "0001"]) == 0
    out = capsys.readouterr().out
    assert f"registered {int(row['registered']):,}" in out and f"Party A {int(row['A']):,}" in out
    assert main(["evidence", "--db", str(qa_db), "0001"]) == 0
    out = capsys.readouterr().out
    assert f"registered {int(row['registered']):,}" in out and f"Party A {int(row['A']):,}" in out
    assert "ballots_received" not in out


def test_pvt_estimate_of_an_annulled_election_shows_the_estimates(
    qa_db: Path, qa_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import json

    db = str(qa_db)
    assert main(["pvt", "design", "--db", db, "--margin", "0.05", "--seed", "1"]) == 0
    capsys.readouterr()
    assert main(["pvt", "sample", "--db", db, "--json"]) == 0
    sample = set(json.loads(capsys.readouterr().out)["sample"])
    scope = [a for s in sorted(sample) for a in ("--station", s)]
    accredit = ["observer", "accredit", "p1", "--organisation", "K", "--name", "P", *scope]
    assert main([*accredit, "--from", "2020-10-01", "--to", "2020-10-10", "--db", db]) == 0
    with open(qa_files / "protocols.csv", newline="") as fh:
        rows = list(csv.reader(fh))
    copies = tmp_path / "pvt.csv"
    with open(copies, "w", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *[r for r in rows if r[0] in sample]])
    assert main(["observer", "copies", "p1", str(copies), "--date", "2020-10-05", "--db", db]) == 0
    annul = ["decide", "annul", "--db", db, "--level", "election", *DECIDE, "--for", "9"]
    assert main(annul) == 0
    capsys.readouterr()
    assert main(["pvt", "estimate", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "no official figures to compare" in out
    assert "Party A " in out and "turnout" in out  # the estimates, by party name


def test_a_second_init_on_the_same_database_says_the_default_moved(
    qa_db: Path, qa_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["init", "--db", str(qa_db), "--law", "kg-2020"]
    argv += [
        "--parties",
        str(qa_files / "parties.csv"),
        "--stations",
        str(qa_files / "stations.csv"),
    ]
    capsys.readouterr()
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert "already held" in err and "--election" in err


def test_an_annulled_election_stays_readable_on_the_site(
    qa_db: Path, qa_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv
    import json

    with open(qa_files / "protocols.csv", newline="") as fh:
        cast = sum(int(r["ballots_cast"]) for r in csv.DictReader(fh))
    annul = ["decide", "annul", "--db", str(qa_db), "--level", "election", *DECIDE, "--for", "9"]
    assert main(annul) == 0
    site = tmp_path / "site"
    assert main(["publish", "--db", str(qa_db), str(site)]) == 0
    page = json.loads((site / "index.json").read_text(encoding="utf-8"))
    assert page["results"]["ballots_cast"] == 0  # annulled: nothing counts
    assert page["results_as_reported"]["ballots_cast"] == cast  # but nothing is hidden
    html = (site / "index.html").read_text(encoding="utf-8")
    assert "as reported before the annulment" in html
    assert html.count('id="ballots-cast"') == 1
    region = json.loads((site / "region" / "Region 01.json").read_text(encoding="utf-8"))
    assert region["results_as_reported"]["ballots_cast"] > 0


def test_margin_says_where_the_votes_actually_move(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    assert main(["margin", "--db", str(qa_db), "--json"]) == 0
    move = json.loads(capsys.readouterr().out)["margin"]
    plan, where = move["plan"], move["where"]
    assert sum(plan.values()) == move["votes"]
    if where.startswith("region "):
        assert list(plan) == [where.removeprefix("region ")]
    elif where.startswith("spread over "):
        assert where == f"spread over {len(plan)} regions" and len(plan) > 1


def test_an_incident_status_change_needs_the_commissions_response(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(qa_db)
    add = ["incident", "add", "--db", db, "--station", "0001", "--category", "procedural"]
    assert main([*add, "--time", "2020-10-04", "--description", "late opening"]) == 0
    iid = capsys.readouterr().out.split()[1]
    update = ["incident", "update", "--db", db, iid, "--status", "dismissed", "--response"]
    assert main([*update, "  "]) == 2
    assert "[empty]" in capsys.readouterr().err
    assert main([*update, "opened ten minutes late, no effect"]) == 0


def test_verify_of_an_unknown_election_is_bad_input(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["verify", "--db", str(qa_db), "--election", "nope", "--quiet"]) == 2
    assert "no election 'nope'" in capsys.readouterr().err


# --- the API (api/write.py, api/actions.py) ---------------------------------------------------


@pytest.fixture()
def qa_api(qa_db: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from fastapi.testclient import TestClient

    from shailoo.api.app import create_app

    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    assert main(["user", "add", "cec", "--role", "commission", "--db", str(qa_db)]) == 0
    client = TestClient(create_app(str(qa_db)))
    login = {"name": "cec", "password": "a long password"}
    token = client.post("/api/token", json=login).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _protocol(qa_files: Path, station: str = "0001") -> dict[str, Any]:
    import csv

    with open(qa_files / "protocols.csv", newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["station"] == station)
    lines = ["registered", "ballots_received", "ballots_issued", "ballots_cast", "invalid"]
    body: dict[str, Any] = {k: int(row[k]) for k in [*lines, "against_all"]}
    body["votes"] = {k: int(v) for k, v in row.items() if k not in body and k != "station"}
    return {"station": station, **body, "source": "official"}


@pytest.mark.parametrize(
    "change",
    [{"invalid": True}, {"invalid": "10"}, {"invalid": 10.0}, {"source": "observer:nobody"}],
    ids=["bool", "string", "float", "observer-source"],
)
def test_the_api_guesses_nothing_in_a_protocol(
    qa_api: Any, qa_files: Path, change: dict[str, Any]
) -> None:
    body = {**_protocol(qa_files), **change, "reason": "hostile"}
    r = qa_api.post("/api/protocols", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "InputError"
    assert qa_api.post("/api/protocols", json=_protocol(qa_files)).json()["duplicate"] is True


@pytest.mark.parametrize(
    "bad", [["--id", "Bad Id/../x"], ["--date", "2021-13-01"]], ids=["id", "date"]
)
def test_a_refused_rerun_leaves_the_original_intact(
    qa_db: Path, capsys: pytest.CaptureFixture[str], bad: list[str]
) -> None:
    db = str(qa_db)
    argv = ["decide", "annul", "--db", db, "--level", "district", "--unit", "Region 03 01"]
    assert main([*argv, *DECIDE, "--for", "9"]) == 0
    rerun = ["rerun", "--db", db, "--level", "district", "--ids", "Region 03 01"]
    assert main([*rerun, *bad]) == 2
    capsys.readouterr()
    # once, the old ledger said "replaced by" an election that was never created
    assert main(["results", "--db", db]) == 0
    assert "replaced by" not in capsys.readouterr().out
    assert main(rerun) == 0


def test_rerun_ids_without_a_level_is_a_usage_error(
    qa_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rerun", "--db", str(qa_db), "--ids", "Region 03 01"]) == 2
    assert "--level" in capsys.readouterr().err


@pytest.mark.parametrize("typed", ["1_000", "+5", "١٣", "1e3", "ten"])
def test_the_staff_form_reads_plain_digits_only(typed: str) -> None:
    from shailoo.api.staff import _int
    from shailoo.domain.errors import InputError

    with pytest.raises(InputError) as caught:
        _int({"invalid": typed}, "invalid")
    assert caught.value.rule == "not-an-integer" and caught.value.column == "invalid"
    assert _int({"invalid": " 12 "}, "invalid") == 12


@pytest.mark.parametrize(
    ("argv", "rule"),
    [
        (["--role", "operator", "--district", "Nowhere"], "[unknown-district]"),
        (["--role", "admin", "--district", "Region 01 01"], "[district-not-operator]"),
        (["--role", "commission", "--observer", "k1"], "[observer-not-observer]"),
    ],
    ids=["unknown-district", "admin-with-district", "commission-with-accreditation"],
)
def test_user_add_refuses_a_scope_that_cannot_apply(
    qa_db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    rule: str,
) -> None:
    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    assert main(["user", "add", "ana", *argv, "--db", str(qa_db)]) == 2
    assert rule in capsys.readouterr().err


def test_user_add_says_when_it_replaces_an_account(
    qa_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    argv = ["user", "add", "ana", "--role", "operator", "--district", "Region 01 01"]
    assert main([*argv, "--db", str(qa_db)]) == 0
    assert "added ana" in capsys.readouterr().out
    assert main([*argv, "--db", str(qa_db)]) == 0
    assert "replaced ana" in capsys.readouterr().out


def test_a_postgresql_server_that_is_down_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["results", "--db", "postgresql://postgres@127.0.0.1:5999/test"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shailoo results: ") and "PostgreSQL" in err
    assert len(err.strip().splitlines()) == 1, err


def test_the_sites_seat_steps_name_parties(qa_db: Path, tmp_path: Path) -> None:
    import json

    assert main(["publish", "--db", str(qa_db), str(tmp_path / "site")]) == 0
    steps = json.loads((tmp_path / "site" / "index.json").read_text())["seats"]["explanation"]
    assert any(s.startswith("Party A: ") for s in steps), steps
    assert not any(s.startswith("A: ") for s in steps), steps
