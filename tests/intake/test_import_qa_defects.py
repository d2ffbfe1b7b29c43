"""Regressions of QA's findings on ``shailoo import`` (issue 3): each test reproduces one.

An ``observer:<id>`` row bypassed the observer's accreditation and scope; extra cells were
dropped silently; a folder was "no such file"; UTF-16 was told to convert from CP1251; a
spreadsheet's numeric station cell lost its leading zeros; error paths stopped with exit 2
("nothing recorded") after batches were committed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.cli import main
from shailoo.domain.errors import InputError
from shailoo.domain.model import Party, Protocol, Station
from shailoo.intake import create_election, import_file, record_protocols
from shailoo.io.canonical import read_protocol_counts, read_protocols
from shailoo.ledger import Store, open_store

PARTIES = (Party("a", "A"), Party("b", "B"))
STATIONS = (
    Station("0009", "R", "D", 100),
    Station("0010", "R", "D", 100),
    Station("010", "R", "D", 100),
    Station("5101", "R", "D", 100),
)
HEADER = "station,registered,ballots_received,ballots_issued,ballots_cast,invalid,against_all,a,b"
#: a clean protocol's counts (no finding at all)
COUNTS = "100,100,50,50,0,0,25,25"


def define(store: Store) -> str:
    return create_election(
        store, law="kg-2020", parties=PARTIES, stations=STATIONS, author="cec", election_id="e"
    ).id


def report_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def sources(store: Store) -> set[tuple[str, str]]:
    return set(store.latest_protocols("e"))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kg.db"
    with open_store(str(path)) as store:
        define(store)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


# ----- 1. observer:<id> is for 'shailoo observer copies' only ------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_observer_source_rows_are_refused_by_import(
    tmp_path: Path, store: Store, suffix: str
) -> None:
    """Clean counts (the bulk path for CSV) or not: P007, and nothing recorded for the row."""
    define(store)
    if suffix == ".csv":
        text = f"{HEADER},source\n0009,{COUNTS},observer:nobody\n5101,{COUNTS},official\n"
    else:
        keys = HEADER.split(",")
        rows = [
            dict(zip(keys, ["0009", *map(int, COUNTS.split(","))], strict=True)),
            dict(zip(keys, ["5101", *map(int, COUNTS.split(","))], strict=True)),
        ]
        rows[0]["source"] = "observer:nobody"
        text = "".join(json.dumps(r) + "\n" for r in rows)
    path = tmp_path / f"p{suffix}"
    path.write_text(text, encoding="utf-8")
    summary = import_file(store, path, progress=False)
    assert (summary.recorded, summary.rejected, summary.exit_code) == (1, 1, 1)
    (row,) = report_rows(Path(summary.report or ""))
    line = "2" if suffix == ".csv" else "1"  # JSON Lines has no header line
    assert (row["line"], row["column"], row["code"]) == (line, "source", "P007")
    assert "shailoo observer copies" in row["message"] and "accreditation" in row["message"]
    assert json.loads(row["values"]) == {"source": "observer:nobody"}
    assert sources(store) == {("5101", "official")}


def test_observer_row_already_stored_is_still_refused(tmp_path: Path, store: Store) -> None:
    """Without the permission nothing counts as "already stored": the row is refused."""
    define(store)
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER},source\n0009,{COUNTS},observer:k1\n", encoding="utf-8")
    allowed = import_file(store, path, progress=False, allow_observer_sources=True)
    assert allowed.recorded == 1 and allowed.exit_code == 0
    again = import_file(store, path, progress=False)
    assert (again.duplicates, again.rejected, dict(again.errors)) == (0, 1, {"P007": 1})


def test_record_protocols_needs_the_permission_the_observer_service_has(store: Store) -> None:
    """Any caller of record_protocols gets P007; record_observer_copies, which checks the
    accreditation and the scope first, records the copy."""
    from datetime import date

    from shailoo.observe.observers import Observer
    from shailoo.observe.service import accredit, record_observer_copies

    define(store)
    copy = Protocol("0009", 100, 100, 50, 50, 0, 0, {"a": 25, "b": 25}, "observer:k1")
    refused = record_protocols(store, "e", [copy], "op")
    assert not refused.recorded
    assert [f.code for f in refused.rejected[0].findings] == ["P007"]
    k1 = Observer.create(
        "k1", "Kloop", "Aida", stations=["0009"], valid_from="2020-10-01", valid_to="2020-10-10"
    )
    accredit(store, "e", k1, "cec")
    official = replace(copy, source="official")
    result = record_observer_copies(store, "e", "k1", [official], "k1", on=date(2020, 10, 4))
    assert [e.kind for e in result.recorded] == ["protocol.recorded"]
    assert sources(store) == {("0009", "observer:k1")}


def test_cli_import_of_observer_row_exits_1(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER},source\n0009,{COUNTS},observer:nobody\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", "--db", str(db), "--quiet", str(path))
    assert code == 1 and "P007" in out
    with open_store(str(db), must_exist=True) as store:
        assert sources(store) == set()


# ----- 2. more cells than the header ---------------------------------------------------------


def test_extra_cells_are_refused_with_their_values(tmp_path: Path, store: Store) -> None:
    define(store)
    path = tmp_path / "p.csv"
    path.write_text(
        f"{HEADER}\n0009,{COUNTS},7,x\n5101,{COUNTS},,\n0010,{COUNTS}\n", encoding="utf-8"
    )
    summary = import_file(store, path, progress=False)
    # the trailing empty cells of line 3 are what spreadsheets write: accepted
    assert (summary.recorded, summary.rejected) == (2, 1)
    (row,) = report_rows(Path(summary.report or ""))
    assert (row["line"], row["code"]) == ("2", "P008")
    assert "'7', 'x'" in row["message"]
    assert json.loads(row["values"]) == {"extra": ["7", "x"], "cells": 11, "columns": 9}
    assert sources(store) == {("5101", "official"), ("0010", "official")}


@settings(max_examples=60, deadline=None)
@given(extra=st.lists(st.text(alphabet="0123456789xyz ,\"'", max_size=4), min_size=1, max_size=4))
def test_any_non_empty_extra_cell_refuses_the_row(tmp_path_factory, extra: list[str]) -> None:  # type: ignore[no-untyped-def]
    """Property: a row refused by P008 exactly when an extra cell holds more than spaces;
    its findings name every extra value up to the last non-empty one."""
    path = tmp_path_factory.mktemp("extra") / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER.split(","))
        w.writerow(["0009", *COUNTS.split(","), *extra])
    for reader in (read_protocols, read_protocol_counts):
        (row,) = list(reader(path, ["a", "b"]))
        blank = all(not c.strip() for c in extra)
        if blank:
            assert type(row) is tuple or row.protocol is not None  # type: ignore[union-attr]
        else:
            assert not isinstance(row, tuple) and row.protocol is None
            (finding,) = row.findings
            named = [c.strip() for c in extra]
            while not named[-1]:
                named.pop()
            assert finding.code == "P008" and finding.values["extra"] == named


# ----- 3. a folder, 4. UTF-16 --------------------------------------------------------------


@pytest.mark.parametrize("name", ["d.csv", "d"])
def test_a_folder_is_called_a_folder(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    code, _, err = run(capsys, "import", "--db", str(db), str(folder))
    assert code == 2 and "is a directory" in err and "no such file" not in err
    assert len(err.strip().splitlines()) == 1 and "[unreadable]" in err


def test_a_missing_file_is_still_no_such_file(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, "import", "--db", str(db), str(tmp_path / "none.csv"))
    assert code == 2 and "no such file" in err


@pytest.mark.parametrize(
    ("encoding", "named", "iconv"),
    [
        ("utf-16", "UTF-16LE byte-order mark", "iconv -f UTF-16 "),
        ("utf-16-be", "UTF-16BE", "iconv -f UTF-16BE "),
        ("utf-16-le", "UTF-16LE", "iconv -f UTF-16LE "),
        ("utf-32", "UTF-32LE byte-order mark", "iconv -f UTF-32 "),
    ],
)
def test_utf16_is_named_not_cp1251(tmp_path: Path, encoding: str, named: str, iconv: str) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(f"{HEADER}\n0009,{COUNTS}\n".encode(encoding))
    with pytest.raises(InputError) as info:
        list(read_protocols(path, ["a", "b"]))
    err = info.value
    assert err.rule == "encoding" and named in err.message and iconv in err.message
    assert "CP1251" not in err.message


# ----- 5. a numeric station cell in XLSX ------------------------------------------------


def test_numeric_station_cell_finds_its_leading_zeros(tmp_path: Path, store: Store) -> None:
    from openpyxl import Workbook

    define(store)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(HEADER.split(","))
    counts = [int(c) for c in COUNTS.split(",")]
    ws.append([9, *counts])  # 0009: the only id that is 9 without its zeros
    ws.append([10.0, *counts])  # 0010 and 010: ambiguous
    ws.append([11, *counts])  # no id at all
    ws.append(["5101", *counts])  # text: as it is
    path = tmp_path / "p.xlsx"
    wb.save(path)
    summary = import_file(store, path, progress=False)
    assert (summary.recorded, summary.rejected) == (2, 2)
    assert sources(store) == {("0009", "official"), ("5101", "official")}
    rows = {r["line"]: r for r in report_rows(Path(summary.report or ""))}
    assert set(rows) == {"3", "4"} and {r["code"] for r in rows.values()} == {"P002"}
    assert "0010, 010" in rows["3"]["message"] and "leading zeros" in rows["3"]["message"]
    assert json.loads(rows["3"]["values"])["candidates"] == ["0010", "010"]
    assert "leading zeros" in rows["4"]["message"]


def test_a_text_station_without_its_zeros_is_refused_with_the_candidates(
    tmp_path: Path, store: Store
) -> None:
    """In CSV the cell is text: nothing proves a spreadsheet dropped the zeros, so the row is
    refused, but the report names the ids it would match."""
    define(store)
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n9,{COUNTS}\n10,{COUNTS}\n11,{COUNTS}\n", encoding="utf-8")
    summary = import_file(store, path, progress=False)
    assert (summary.recorded, summary.rejected) == (0, 3)
    rows = {r["line"]: r for r in report_rows(Path(summary.report or ""))}
    assert "0009" in rows["2"]["message"] and "leading zeros" in rows["2"]["message"]
    assert json.loads(rows["3"]["values"])["candidates"] == ["0010", "010"]
    assert "leading zeros" not in rows["4"]["message"]  # no id matches 11


# ----- 7. error paths ----------------------------------------------------------------------


def test_bad_jsonl_line_is_a_rejected_row_not_exit_2(tmp_path: Path, store: Store) -> None:
    """Batches before the bad line were committed: exit 2 ("nothing recorded") was a lie."""
    define(store)
    keys = HEADER.split(",")
    good = [
        json.dumps(dict(zip(keys, [s, *map(int, COUNTS.split(","))], strict=True)))
        for s in ("0009", "5101")
    ]
    path = tmp_path / "p.jsonl"
    path.write_text(f"{good[0]}\n{{broken\n[1, 2]\n{good[1]}\n", encoding="utf-8")
    summary = import_file(store, path, batch_size=1, progress=False)
    assert (summary.recorded, summary.rejected, summary.exit_code) == (2, 2, 1)
    rows = report_rows(Path(summary.report or ""))
    assert [(r["line"], r["code"]) for r in rows] == [("2", "json"), ("3", "json")]
    assert "not a JSON object" in rows[1]["message"]


def test_header_only_csv_is_empty_file(tmp_path: Path, db: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n\n", encoding="utf-8")
    code, _, err = run(capsys, "import", "--db", str(db), str(path))
    assert code == 2 and "[empty-file]" in err


def test_a_short_row_says_it_is_short(tmp_path: Path, store: Store) -> None:
    define(store)
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n0009,100,100,50,50,0,0\n", encoding="utf-8")
    summary = import_file(store, path, progress=False)
    rows = report_rows(Path(summary.report or ""))
    assert [r["column"] for r in rows] == ["a", "b"]
    assert "7 cells, 9 columns" in rows[0]["message"]


def test_report_folder_is_refused_before_anything_is_recorded(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "p.csv"
    path.write_text(f"{HEADER}\n0009,{COUNTS}\n5101,1,1,1,1,1,1,1,1\n", encoding="utf-8")
    (tmp_path / "out").mkdir()
    for report in (tmp_path / "out", tmp_path / "missing" / "r.csv"):
        code, _, err = run(
            capsys, "import", "--db", str(db), "--batch", "1", "--report", str(report), str(path)
        )
        assert code == 2 and "[report]" in err
    with open_store(str(db), must_exist=True) as store:
        assert sources(store) == set()
