"""The C loops of ``shailoo._speedups`` give exactly what their Python twins give.

Two loops: a clean CSV row to its payload (``ElectionTable.quick_row``) and the SHA-256 chain of
a batch of protocol events (``chain_protocol_rows``). Each is run both ways on generated input
(the Python way by setting ``shailoo.speedups.native`` to None, as ``SHAILOO_PURE_PYTHON=1``
does) and the results compared; an import of one file both ways stores the same protocols.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from row_factory import balance

from shailoo import speedups
from shailoo.domain.errors import LedgerError
from shailoo.intake import create_election, import_file, importer
from shailoo.intake.bulk import ElectionTable
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.io.canonical import CsvError, Header, csv_records, write_protocols_csv
from shailoo.ledger import Store
from shailoo.ledger.encoding import GENESIS_HASH, event_hash
from shailoo.ledger.store import chain_protocol_rows
from shailoo.ledger.verify import verify_store

NATIVE = speedups.native


def test_the_c_module_is_built() -> None:
    """``scripts/setup`` installs a C compiler and OpenSSL's headers, so the module must be
    there: without it a national import is about twice as slow (bench/RESULTS.md)."""
    assert NATIVE is not None, speedups.describe()
    assert speedups.describe().startswith("C")


def test_pure_python_can_be_asked_for() -> None:
    code = "from shailoo import speedups; print(speedups.native is None, speedups.describe())"
    env = {**os.environ, "SHAILOO_PURE_PYTHON": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True Python (SHAILOO_PURE_PYTHON is set)"


def both_ways(make: Any) -> tuple[Any, Any]:
    """``make(way)`` with the C module (way "c") and without it (way "python")."""
    assert NATIVE is not None
    out = []
    try:
        for way, module in (("c", NATIVE), ("python", None)):
            speedups.native = module
            out.append(make(way))
    finally:
        speedups.native = NATIVE
    return out[0], out[1]


def election_payload(party_ids: list[str], listed: int) -> dict[str, object]:
    return {
        "election_id": "e",
        "parties": [{"id": p, "name": p} for p in party_ids],
        "stations": [
            {"station": s, "region": "R", "district": "D", "registered": listed}
            for s in ("s1", "Ош-7", 'q"1')
        ],
    }


SMALL = st.integers(min_value=0, max_value=60)
# a count cell as a file may hold it, including the forms the C loop declines (long numbers)
CELL = st.one_of(
    SMALL.map(str),
    st.integers(0, 10**20).map(str),
    st.sampled_from(["007", "0", "-5", " 5", "5 ", "", "+5", "1e3", "5.0", "٣", "x", "٣٣"]),
)
TEXTS = st.sampled_from(["", "ann", 'a"b\\c%d', " ann ", "\tx", "Бекмат", "a\x01b", "\u3000"])


@settings(max_examples=1500, deadline=None)
@given(
    base=st.lists(SMALL, min_size=6, max_size=6),
    votes=st.lists(SMALL, min_size=3, max_size=3),
    matching=st.booleans() | st.just(True),
    noise=st.just({}) | st.dictionaries(st.integers(0, 8), CELL, max_size=2),
    station=st.sampled_from(["s1", "s1", " s1 ", "s9", "", "Ош-7", 'q"1', "\u3000s1"]),
    source=st.sampled_from(["", "", "official", " machine", "rumour", "observer:o1"]),
    entered_by=TEXTS,
    reason=TEXTS,
    units=st.sampled_from(
        [None, ("", ""), ("R", "D"), (" R", "D\u3000"), ("R", "X"), ("r", "D"), ("X", "")]
    ),
    parties=st.sampled_from([("a", "b", "c"), ("z%s", 'q"', "%%"), ("ö", "b\\", "a b")]),
    order=st.permutations(range(13)),
    listed=st.sampled_from([1000, 10**17]),
)
def test_quick_row_in_c_equals_python(
    base: list[int],
    votes: list[int],
    matching: bool,
    noise: dict[int, str],
    station: str,
    source: str,
    entered_by: str,
    reason: str,
    units: tuple[str, str] | None,
    parties: tuple[str, str, str],
    order: list[int],
    listed: int,
) -> None:
    """Where the C loop makes a row ready, Python makes the same; where Python does and every
    count has at most 15 digits, so does C (longer numbers take the general path)."""
    if matching:  # mostly a clean protocol, so that the quick path is taken often
        balance(base, votes)
    table = ElectionTable.from_payload(election_payload(list(parties), listed))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    names += ["invalid", "against_all", parties[2], parties[0], parties[1]]
    names += ["source", "entered_by", "reason"]
    counts = [str(x) for x in base] + [str(votes[2]), str(votes[0]), str(votes[1])]
    for i, cell in noise.items():
        counts[i] = cell
    cells = [station, *counts, source, entered_by, reason]
    # columns in any order
    names = [names[i] for i in order]
    cells = [cells[i] for i in order]
    if units is not None:
        names += ["region", "district"]
        cells += list(units)
    header = Header(names, list(parties), "f.csv")
    c, py = both_ways(lambda _: table.quick_row(header)(list(cells), 7))
    if c is not None:
        assert c == py
    elif py is not None:
        assert any(len(x) > 15 for x in counts)


def test_quick_row_in_c_declines_what_it_cannot_read() -> None:
    table = ElectionTable.from_payload(election_payload(["a"], 100))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    header = Header([*names, "invalid", "against_all", "a"], ["a"], "f.csv")
    quick = table.quick_row(header)
    assert type(quick).__module__ == "shailoo._speedups"
    clean = ["s1", "10", "10", "8", "8", "1", "1", "6"]
    assert quick(clean, 2) is not None
    assert quick(clean[:-1], 2) is None  # too few cells
    assert quick(tuple(clean), 2) is None  # not a list
    assert quick([*clean[:-1], 6], 2) is None  # not a str
    assert quick(["s1", "10", "10", "8", "8", "1", "1", "7"], 2) is None  # does not add up
    assert quick(["s\ud800", *clean[1:]], 2) is None  # no UTF-8 form
    with pytest.raises(TypeError):
        quick(clean)


ITEM_TEXT = st.text(max_size=8)


@settings(max_examples=300, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["protocol.recorded", "protocol.corrected"]),
            st.text(max_size=40),
            ITEM_TEXT.filter(bool),
            ITEM_TEXT.filter(bool),
        ),
        max_size=6,
    ),
    election_id=ITEM_TEXT,
    author=ITEM_TEXT.filter(bool),
    recorded_at=ITEM_TEXT,
    head_seq=st.integers(0, 2**40),
    head_hash=st.sampled_from([GENESIS_HASH, "ab" * 32, "x"]),
)
def test_chain_in_c_equals_python(
    items: list[tuple[str, str, str, str]],
    election_id: str,
    author: str,
    recorded_at: str,
    head_seq: int,
    head_hash: str,
) -> None:
    def make(_: str) -> list[tuple[Any, ...]]:
        return chain_protocol_rows(election_id, author, recorded_at, head_seq, head_hash, items)

    c, py = both_ways(make)
    assert c == py
    for row in c:  # and both are the documented hash of the event
        assert row[6] == event_hash(
            election_id=election_id,
            seq=row[1],
            kind=row[2],
            author=author,
            recorded_at=recorded_at,
            prev_hash=row[5],
            payload_json=row[7],
        )


@pytest.mark.parametrize(
    "item, message",
    [
        (("election.defined", "{}", "s1", "official"), "is not a protocol event kind"),
        (("protocol.recorded", "{}", "", "official"), "needs a station and a source"),
        (("protocol.recorded", "{}", "s1", None), "needs a station and a source"),
    ],
)
def test_chain_in_c_refuses_as_python_does(item: tuple[Any, ...], message: str) -> None:
    def make(_: str) -> str:
        with pytest.raises(LedgerError, match=message) as caught:
            chain_protocol_rows("e", "a", "t", 0, GENESIS_HASH, [item])
        return str(caught.value)

    c, py = both_ways(make)
    assert c == py


@pytest.mark.parametrize("parser_process", [False, True], ids=["in-process", "parser-process"])
def test_an_import_stores_the_same_protocols_both_ways(
    store: Store, tmp_path: Path, parser_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One election's protocols written three ways (plain CSV, every cell quoted, with the
    region and district columns) and imported with the C loops and without them: the same
    ledger rows each time (on PostgreSQL with the parser process: the packed batches)."""
    if parser_process:
        monkeypatch.setattr(importer, "PARSER_PROCESS_ROWS", 0)
    parties = sample_parties(5)
    stations = sample_stations(300)
    ids = tuple(p.id for p in parties)
    plain = io.StringIO()
    write_protocols_csv(plain, sample_protocols(stations, ids, seed=3), ids)
    rows = list(csv.reader(io.StringIO(plain.getvalue())))
    rows.append([stations[0].id, *"1111001" + "0000", "official", "", ""])  # a repeat: P202
    units = {s.id: [s.region, s.district] for s in stations}
    files = []
    for style in ("plain", "quoted", "units"):
        path = tmp_path / f"{style}.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            quoting = csv.QUOTE_ALL if style == "quoted" else csv.QUOTE_MINIMAL
            out = csv.writer(fh, quoting=quoting, lineterminator="\r\n")
            for n, row in enumerate(rows):
                extra = ["region", "district"] if n == 0 else units[row[0]]
                out.writerow(row + extra if style == "units" else row)
        files.append(path)

    def run(way: str) -> list[list[tuple[Any, ...]]]:
        out = []
        for path in files:
            eid = f"{path.stem}-{way}"
            create_election(
                store,
                law="kg-2020",
                parties=parties,
                stations=stations,
                author="t",
                election_id=eid,
            )
            summary = import_file(store, path, election_id=eid, progress=False)
            assert (summary.recorded, summary.rejected) == (300, 1)
            out.append([(r[1], r[2], r[7], r[8], r[9]) for r in store.event_rows(eid, after_seq=1)])
        return out

    c, py = both_ways(run)
    assert c == py
    assert c[0] == c[1] == c[2]
    assert all(r.ok for r in verify_store(store))


LINE_NOISE = st.sampled_from(["", "", "", '"', "\x00", "\r", " ", "\u3000", "é", ",", "\t"])


@settings(max_examples=1500, deadline=None)
@given(
    base=st.lists(SMALL, min_size=6, max_size=6),
    votes=st.lists(SMALL, min_size=3, max_size=3),
    station=st.sampled_from(["s1", " s1", "Ош-7", 'q"1', "s9", "", "s1\u3000"]),
    source=st.sampled_from(["", "official", " machine ", "rumour"]),
    entered_by=TEXTS,
    units=st.sampled_from(
        [None, ("", ""), (" ", ""), ("R", "D"), (" R ", ""), ("R", "é"), ("\u3000", "D")]
    ),
    noise=st.lists(st.tuples(st.integers(0, 200), LINE_NOISE), max_size=2),
    terminator=st.sampled_from(["\n", "\r\n", "\r", "", "\n\n"]),
    order=st.permutations(range(12)),
    quoting=st.sampled_from([None, csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
)
def test_quick_row_reads_a_whole_line_as_its_cells(
    base: list[int],
    votes: list[int],
    station: str,
    source: str,
    entered_by: str,
    units: tuple[str, str] | None,
    noise: list[tuple[int, str]],
    terminator: str,
    order: list[int],
    quoting: int | None,
) -> None:
    """``QuickRow.line(raw)`` equals ``QuickRow(cells)`` of the cells the csv module reads
    from the line, whether its cells are quoted (as csv writers and R quote them) or not; it
    may decline a line (a doubled quote, a NUL), never read it otherwise. A line written with
    every cell quoted is read, not declined."""
    balance(base, votes)
    parties = ["a", "b", "c"]
    table = ElectionTable.from_payload(election_payload(parties, 1000))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    names += ["invalid", "against_all", "c", "a", "b", "source", "entered_by"]
    cells = [station, *map(str, base), str(votes[2]), str(votes[0]), str(votes[1])]
    cells += [source, entered_by]
    names, cells = [names[i] for i in order], [cells[i] for i in order]  # any column order
    if units is not None:
        names += ["region", "district"]
        cells += list(units)
    if quoting is None:
        raw = ",".join(cells)
    else:
        out = io.StringIO()
        csv.writer(out, quoting=quoting, lineterminator="").writerow(cells)
        raw = out.getvalue()
    for at, piece in noise:
        at %= len(raw) + 1
        raw = raw[:at] + piece + raw[at:]
    raw += terminator
    quick = table.quick_row(Header(names, parties, "f.csv"))
    assert type(quick).__module__ == "shailoo._speedups"
    got = quick.line(raw, 7)  # type: ignore[attr-defined]
    text = raw.rstrip("\r\n")
    if "\r" in text or "\n" in text:
        return  # not one line as a file yields it (the reader splits there first)
    try:
        records = list(csv_records(io.StringIO(text, newline="")))
    except CsvError:
        assert got is None
        return
    if len(records) != 1:
        assert got is None  # a quote that the line does not close: the csv module's to read
        return
    assert got is None or got == quick(records[0][0], 7)
    if not noise and quoting in (None, csv.QUOTE_ALL) and '"' not in "".join(cells):
        assert got == quick(records[0][0], 7)  # an ordinary line, quoted or not, is read


def test_quick_row_line_declines_what_it_cannot_read() -> None:
    table = ElectionTable.from_payload(election_payload(["a"], 100))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    quick = table.quick_row(Header([*names, "invalid", "against_all", "a"], ["a"], "f.csv"))
    line = quick.line  # type: ignore[attr-defined]
    assert line("s1,10,10,8,8,1,1,6\r\n", 2) == quick(
        ["s1", "10", "10", "8", "8", "1", "1", "6"], 2
    )
    assert line("s1,10,10,8,8,1,1,6\r\n", 2) is not None
    assert line('"s1","10","10","8","8","1","1","6"\r\n', 2) == line("s1,10,10,8,8,1,1,6\n", 2)
    assert line('"s1",10,10,8,8,1,1,"6"', 2) is not None
    assert line('"s""1",10,10,8,8,1,1,6', 2) is None  # a doubled quote: the csv module reads it
    assert line('s"1,10,10,8,8,1,1,6', 2) is None  # a quote inside a cell
    assert line('"s1,10,10,8,8,1,1,6', 2) is None  # a quote the line does not close
    assert line('"s1"x,10,10,8,8,1,1,6', 2) is None  # text after the closing quote
    assert line("s1,10,10,8,8,1,1\n", 2) is None  # too few cells
    assert line("s1,10,10,8,8,1,1,6,\n", 2) is None  # too many
    assert line("s1,10,10,8,8,1,1,06\n", 2) is None  # a leading zero: the general path
    assert line("s1,10,10,8,8,1,1," + "9" * 16 + "\n", 2) is None  # too long a number
    assert line("s1,10,10,8,8,1,1,6" + " " * 70_000 + "\n", 2) is None  # too long a line
    assert line("s\ud800,10,10,8,8,1,1,6\n", 2) is None  # no UTF-8 form
    assert line(b"s1,10,10,8,8,1,1,6\n", 2) is None  # not a str
    assert line("\n", 2) is None
    with pytest.raises(TypeError):
        line("s1")


@pytest.mark.parametrize("style", ["plain", "quoted"])
def test_quick_row_line_reads_every_one_character_edit_as_the_csv_module(style: str) -> None:
    """Every line made from a clean one by inserting or replacing one character anywhere (a
    quote, a comma, a space, a letter) is read by ``QuickRow.line`` as the csv module reads
    it, or declined."""
    table = ElectionTable.from_payload(election_payload(["a", "b"], 100))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    header = Header([*names, "invalid", "against_all", "a", "b", "source"], ["a", "b"], "f.csv")
    quick = table.quick_row(header)
    cells = ["s1", "10", "10", "8", "8", "1", "1", "4", "2", "machine"]
    clean = ",".join(f'"{c}"' if style == "quoted" else c for c in cells)
    assert quick.line(clean, 2) is not None  # type: ignore[attr-defined]
    read = 0
    edits = [
        clean[:at] + piece + clean[at + cut :]
        for at in range(len(clean) + 1)
        for cut in (0, 1)  # inserted, or in place of the character there
        for piece in ['"', ",", " ", "x", "é", "9", '""']
    ]
    for raw in edits:
        got = quick.line(raw + "\n", 2)  # type: ignore[attr-defined]
        records = list(csv_records(io.StringIO(raw, newline="")))
        if len(records) != 1:
            assert got is None, raw
            continue
        if got is not None:
            read += 1
            assert got == quick(records[0][0], 2), raw
    assert read >= 5  # the edits that keep the row clean (spaces, a station "s19") are read
