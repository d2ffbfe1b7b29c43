"""``csv_records`` reads any text exactly as the csv module does: the same records, the same
line numbers, the same errors (it splits plain lines itself and hands the rest to csv)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from shailoo.io.canonical import CsvError, csv_records

# the characters that matter to CSV, and a few that do not
PIECES = st.sampled_from([",", '"', "\n", "\r", "\r\n", " ", "a", "7", "é", "\x00", "\t", '""'])


def reference(text: str) -> tuple[list[tuple[list[str], int]], int | None]:
    """What the csv module reads from ``text``: its records with their lines, and the line of
    its error (None: none)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[list[str], int]] = []
    try:
        for cells in reader:
            out.append((cells, reader.line_num))
    except csv.Error:
        return out, reader.line_num
    return out, None


def ours(text: str) -> tuple[list[tuple[list[str], int]], int | None]:
    out: list[tuple[list[str], int]] = []
    try:
        for record in csv_records(io.StringIO(text, newline="")):
            out.append(record)
    except CsvError as exc:
        assert isinstance(exc.__cause__, csv.Error)
        return out, exc.line
    return out, None


@settings(max_examples=2000, deadline=None)
@given(text=st.lists(PIECES, max_size=40).map("".join))
@example(text='a,"b\nc",d\r\ne,f')
@example(text='"unterminated\n,x')
@example(text="\n\r\n\r,\n")
def test_csv_records_reads_text_as_the_csv_module_does(text: str) -> None:
    assert ours(text) == reference(text)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(
        st.lists(st.text(st.characters(blacklist_characters="\x00"), max_size=6), max_size=5),
        max_size=6,
    ),
    terminator=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_csv_records_reads_what_csv_writes(rows: list[list[str]], terminator: str) -> None:
    out = io.StringIO()
    csv.writer(out, lineterminator=terminator).writerows(rows)
    assert ours(out.getvalue()) == reference(out.getvalue())


def test_a_long_plain_cell_keeps_the_csv_field_limit(tmp_path: Path) -> None:
    text = "a," + "9" * (csv.field_size_limit() + 1) + "\n"
    assert reference(text)[1] == 1
    assert ours(text) == reference(text)


@pytest.mark.parametrize("start", [0, 1, 41])
def test_line_numbers_count_from_the_lines_already_read(start: int) -> None:
    fh = io.StringIO('x\n"a\nb",c\ny\n', newline="")
    assert list(csv_records(fh, start)) == [
        (["x"], start + 1),
        (["a\nb", "c"], start + 3),
        (["y"], start + 4),
    ]
