"""Canonical protocol files: round trips in every format and clear errors for bad files."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from shailoo.domain.errors import InputError
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.io.canonical import (
    read_protocols,
    write_protocols_csv,
    write_protocols_jsonl,
    write_protocols_xlsx,
)

PARTIES = tuple(p.id for p in sample_parties(3))
STATIONS = sample_stations(25)
PROTOCOLS = list(sample_protocols(STATIONS, PARTIES, seed=4))
HEADER = "station,registered,ballots_received,ballots_issued,ballots_cast,invalid,against_all"


def test_round_trip_csv_xlsx_json(tmp_path: Path) -> None:
    csv_path = tmp_path / "p.csv"
    with csv_path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, PROTOCOLS, PARTIES)
    xlsx_path = tmp_path / "p.xlsx"
    write_protocols_xlsx(xlsx_path, PROTOCOLS, PARTIES)
    jsonl_path = tmp_path / "p.jsonl"
    with jsonl_path.open("w", encoding="utf-8") as fh:
        write_protocols_jsonl(fh, PROTOCOLS)
    json_path = tmp_path / "p.json"
    json_path.write_text(json.dumps([json.loads(x) for x in jsonl_path.read_text().splitlines()]))
    for path in (csv_path, xlsx_path, jsonl_path, json_path):
        rows = list(read_protocols(path, PARTIES))
        assert [r.protocol for r in rows] == PROTOCOLS, path
        first_line = 2 if path.suffix in (".csv", ".xlsx") else 1
        assert [r.line for r in rows][:2] == [first_line, first_line + 1]


def write(tmp_path: Path, text: str, name: str = "p.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error_of(path: Path) -> InputError:
    with pytest.raises(InputError) as info:
        list(read_protocols(path, PARTIES))
    return info.value


def test_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    text = f"{HEADER},p01,p02,p03,entered_by\n1,10,10,5,5,0,0,5,0,0,Айгуль\n"
    err = error_of(write(tmp_path, text, encoding="cp1251"))
    assert err.rule == "encoding" and err.line == 2 and "UTF-8" in err.message


def test_utf8_bom_is_fine(tmp_path: Path) -> None:
    rows = list(
        read_protocols(
            write(tmp_path, "\ufeff" + f"{HEADER},p01,p02,p03\n1,10,10,5,5,0,0,5,0,0\n"), PARTIES
        )
    )
    assert rows[0].protocol is not None and rows[0].protocol.station == "1"


def test_empty_file(tmp_path: Path) -> None:
    assert error_of(write(tmp_path, "")).rule == "empty-file"
    assert error_of(write(tmp_path, "", name="p.xlsx")).rule == "empty-file"
    assert error_of(write(tmp_path, "[]", name="p.json")).rule == "empty-file"


def test_unknown_party_column(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, f"{HEADER},p01,p02,p03,p99\n"))
    assert (err.rule, err.column, err.line) == ("P004", "p99", 1)


def test_missing_party_column(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, f"{HEADER},p01,p03\n"))
    assert (err.rule, err.column) == ("P003", "p02")


def test_missing_base_column(tmp_path: Path) -> None:
    err = error_of(write(tmp_path, "station,registered,p01,p02,p03\n"))
    assert err.rule == "missing-column" and err.column == "ballots_received"


def test_negative_and_non_integer_values_are_row_findings(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"{HEADER},p01,p02,p03\n1,10,10,5,-5,0,0,5,0,0\n2,10,10,5,5,0,0,4.5,0,1\n3,10,10,5,5,0,0,5,0,0\n",
    )
    rows = list(read_protocols(path, PARTIES))
    assert rows[0].protocol is None and rows[0].line == 2
    assert [(f.code, f.column, f.values["value"]) for f in rows[0].findings] == [
        ("P001", "ballots_cast", "-5")
    ]
    assert rows[1].protocol is None and rows[1].findings[0].column == "p01"
    assert rows[2].protocol is not None


def test_xlsx_numbers_as_floats_and_ids_as_numbers(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append([*HEADER.split(","), *PARTIES])
    ws.append([5101, 10.0, 10, 5, 5, 0, 0, 5, 0, 0])
    path = tmp_path / "p.xlsx"
    wb.save(path)
    (row,) = read_protocols(path, PARTIES)
    assert (
        row.protocol is not None
        and row.protocol.station == "5101"
        and row.protocol.registered == 10
    )


def test_reading_streams(tmp_path: Path) -> None:
    """The reader is lazy: it yields the first row before reading the rest of a big file."""
    path = tmp_path / "big.csv"
    many = (PROTOCOLS[i % len(PROTOCOLS)] for i in range(20000))
    buf = io.StringIO()
    write_protocols_csv(buf, many, PARTIES)
    path.write_text(buf.getvalue())
    rows = read_protocols(path, PARTIES)
    first = next(rows)
    assert first.line == 2


@pytest.mark.parametrize(
    ("cell", "ok"),
    [(" 5 ", True), ("+5", False), ("5.0", False), ("1,000", False), ("٥", False), ("", False)],
)
def test_number_syntax(tmp_path: Path, cell: str, ok: bool) -> None:
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        import csv

        w = csv.writer(fh)
        w.writerow([*HEADER.split(","), *PARTIES])
        w.writerow(["1", "10", "10", "5", "5", "0", "0", cell, "0", "0"])
    (row,) = read_protocols(path, PARTIES)
    if ok:
        assert row.protocol is not None and row.protocol.votes["p01"] == 5
    else:
        assert (
            row.protocol is None
            and row.findings[0].code == "P001"
            and row.findings[0].column == "p01"
        )
