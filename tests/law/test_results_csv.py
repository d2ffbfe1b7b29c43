"""RESULTS.csv files written by strangers: BOM, ``;`` or tab, thousands separators, spaces,
blank lines, unit columns under other names, a total row, zero columns, and errors that name
file, line and column."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shailoo.cli import main
from shailoo.domain.errors import InputError
from shailoo.io.results_csv import parse_count, read_results, sniff_delimiter


def write(tmp_path: Path, text: str, name: str = "r.csv", encoding: str = "utf-8") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def test_bom_semicolons_spaces_and_blank_lines(tmp_path: Path) -> None:
    text = "\ufeff region ; ballots_cast ; A ; B \r\n X ; 1 000 ; 600 ; 300 \r\n\r\n Y;2000;1 200;700\r\n\r\n\r\n"
    data = read_results(write(tmp_path, text), needs={"ballots_cast"})
    assert data.unit_column == "region" and list(data.units) == ["X", "Y"]
    assert data.national.votes == {"A": 1800, "B": 1000}
    assert data.national.ballots_cast == 3000
    assert any("';'" in n for n in data.notes)


def test_tab_separated_utf16_as_spreadsheets_save_unicode_text(tmp_path: Path) -> None:
    text = "district\tA\tB\nNorth\t5\t7\n"
    data = read_results(write(tmp_path, text, encoding="utf-16"))
    assert data.unit_kind == "district" and data.units["North"].votes == {"A": 5, "B": 7}


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1234", 1234),
        ("1,234", 1234),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234 567", None),  # two kinds of separator: refused
        ("1_234", 1234),
        ("1.234.567", 1234567),
        ("1'234", 1234),
        ("12,345,678", 12345678),
        (" 17 ", 17),
        ("+5", 5),
        ("1,5", None),  # a decimal comma, or a typo: never read as 15
        ("1,2345", None),
        ("12,34,567", None),  # Indian grouping is refused rather than guessed
        ("4.5", None),
        ("1e3", None),
        ("", None),
    ],
)
def test_counts_with_thousands_separators(cell: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(InputError) as err:
            parse_count(cell, path="f.csv", line=7, column="A")
        assert err.value.file == "f.csv" and err.value.line == 7 and err.value.column == "A"
    else:
        assert parse_count(cell, path="f.csv", line=7, column="A") == value


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([",", " ", ".", "_", "'"]))
def test_any_grouped_number_reads_back(n: int, sep: str) -> None:
    grouped = f"{n:,}".replace(",", sep)
    assert parse_count(grouped, path="f", line=2, column="A") == n


def test_quoted_thousands_in_a_comma_file(tmp_path: Path) -> None:
    data = read_results(write(tmp_path, 'A,B\n"1,234","56,789"\n'))
    assert data.national.votes == {"A": 1234, "B": 56789}


def test_the_delimiter_is_taken_from_the_header_outside_quotes() -> None:
    assert sniff_delimiter('"a,b";c;d') == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter("a,b") == ","
    assert sniff_delimiter("onlyone") == ","


def test_a_total_row_that_agrees_is_ignored_with_a_note(tmp_path: Path) -> None:
    text = "region,A,B\nX,10,20\nY,5,5\nTotal,15,25\n"
    data = read_results(write(tmp_path, text))
    assert list(data.units) == ["X", "Y"] and data.national.votes == {"A": 15, "B": 25}
    assert any("'Total' row" in n and "not counted" in n for n in data.notes)


def test_a_total_row_that_disagrees_is_refused_at_its_line_and_column(tmp_path: Path) -> None:
    text = "region,A,B\nX,10,20\nY,5,5\nTOTAL,15,26\n"
    with pytest.raises(InputError) as err:
        read_results(write(tmp_path, text))
    e = err.value
    assert (e.line, e.column, e.rule) == (4, "B", "total-mismatch")
    assert e.values == {"total": 26, "sum": 25}


def test_unit_column_synonyms_and_an_unnamed_first_column(tmp_path: Path) -> None:
    assert read_results(write(tmp_path, "County,A\nOslo,3\nAkershus,4\n")).unit_kind == "district"
    assert read_results(write(tmp_path, "name,A\nOslo,3\nBergen,4\n")).unit_kind == "unit"
    data = read_results(write(tmp_path, ",A,B\nOslo,3,1\nBergen,4,2\n"))
    assert data.unit_kind == "unit" and list(data.units) == ["Oslo", "Bergen"]


def test_valid_and_total_columns_are_not_parties(tmp_path: Path) -> None:
    data = read_results(write(tmp_path, "Valid votes,A,B,Total\n30,10,20,30\n"))
    assert data.parties == ["A", "B"]
    assert sum("not a party" in n for n in data.notes) == 2


def test_base_column_synonyms(tmp_path: Path) -> None:
    data = read_results(
        write(tmp_path, "Registered voters,Ballots,Invalid ballots,A\n100,50,2,48\n"),
        needs={"registered", "ballots_cast"},
    )
    n = data.national
    assert (n.registered, n.ballots_cast, n.invalid) == (100, 50, 2)


def test_a_party_with_no_votes_and_more_parties_than_seats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    law = write(tmp_path, 'name = "Mini"\nseats = 2\nmethod = "dhondt"\n', "mini.toml")
    path = write(tmp_path, "A,B,C,D,Zero\n60,40,30,20,0\n")
    assert main(["seats", law, path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["seats"] == {"A": 1, "B": 1, "C": 0, "D": 0, "Zero": 0}
    assert any("'Zero' has no votes" in n for n in out["notes"])


def test_a_district_law_reads_a_county_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    law = write(
        tmp_path,
        'name = "Two"\nmethod = "dhondt"\n[districts]\nNorth = 2\n[districts.South]\nseats = 1\n',
        "two.toml",
    )
    path = write(tmp_path, '\ufeffcounty;A;B\nNorth;"1 000";600\nSouth;10;20\n')
    assert main(["seats", law, path, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["seats"] == {"A": 1, "B": 2}
    assert out["districts"]["South"]["seats"] == {"A": 0, "B": 1}


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("region,A,B\nX,1,2\nY,1\n", 3, "B"),
        ("region;A;B\nX;1;2\n\nY;1;x\n", 4, "B"),  # blank lines still count
        ("region,A,B\nX,1,2\n,1,2\n", 3, "region"),
        ("A,,B\n1,2,3\n", 1, "#2"),
        ("region,A\nX,1\nTotal,2\n", 3, "A"),
    ],
)
def test_errors_name_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, line: int, column: str
) -> None:
    path = write(tmp_path, text)
    assert main(["seats", _mini(tmp_path), path]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    assert f"{path}:{line}: column {column!r}" in err, err


def _mini(tmp_path: Path) -> str:
    return write(tmp_path, 'name = "Mini"\nseats = 2\nmethod = "hare"\n', "mini.toml")


def test_not_utf8_names_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("region,A\nZürich,1\n".encode("latin-1"))
    assert main(["seats", _mini(tmp_path), str(path)]) == 2
    assert f"{path}:2:" in capsys.readouterr().err


def test_district_names_match_loosely_and_unknown_ones_name_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    law = write(
        tmp_path, 'name = "Two"\nmethod = "dhondt"\n[districts]\nNorth = 2\nSouth = 1\n', "t.toml"
    )
    ok = write(tmp_path, "district,A,B\n north ,10,5\nSOUTH,1,2\n", "ok.csv")
    assert main(["seats", law, ok, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["districts"]["North"]["seats"] == {"A": 2, "B": 0}
    assert any("'north' as 'North'" in n for n in out["notes"])
    bad = write(tmp_path, "district,A,B\nNorth,10,5\nSouth,1,2\nWest,3,3\n", "bad.csv")
    assert main(["seats", law, bad]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4: column 'district': [unknown-district]" in err and "North, South" in err
    short = write(tmp_path, "district,A,B\nNorth,10,5\n", "short.csv")
    assert main(["seats", law, short]) == 2
    assert "[missing-district]" in capsys.readouterr().err


def test_an_unquoted_thousands_comma_gets_a_hint(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_results(write(tmp_path, "A,B\n1,234,56\n"))
    assert err.value.line == 2 and err.value.rule == "cell-count"
    assert 'must be quoted: "1,234"' in err.value.message
