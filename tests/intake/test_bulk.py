"""The bulk import path gives exactly what the reference path gives.

Three claims of :mod:`shailoo.intake.bulk` are checked here: the payload template equals the
canonical encoder byte for byte, the clean-row test is true exactly when ``check_protocol``
finds nothing, and a whole import (clean rows, warnings, errors, duplicates, corrections) stores
the same events as ``record_protocols`` does for the same protocols.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from row_factory import balance

from shailoo.checks.protocol import check_protocol, check_units
from shailoo.domain.errors import InputError, LedgerError
from shailoo.domain.model import Protocol, Station
from shailoo.intake import create_election, import_file, importer, record_protocols
from shailoo.intake.bulk import (
    Chained,
    ElectionTable,
    Packed,
    Pending,
    Ready,
    chain_fresh,
    is_clean,
    pack_fresh,
    prepare,
    record_chained,
)
from shailoo.intake.protocols import protocol_payload
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.io.canonical import CountRow, count_row_protocol, write_protocols_csv
from shailoo.ledger import Store
from shailoo.ledger.encoding import canonical_json
from shailoo.ledger.verify import verify_store

# any text a cell may hold: quotes, backslashes, control characters, '%', non-BMP letters
TEXT = st.text(min_size=1, max_size=12)
COUNT = st.integers(min_value=0, max_value=10**12)


def election_payload(party_ids: list[str], listed: int) -> dict[str, object]:
    return {
        "election_id": "e",
        "parties": [{"id": p, "name": p} for p in party_ids],
        "stations": [{"station": "s1", "region": "R", "district": "D", "registered": listed}],
    }


@settings(max_examples=300, deadline=None)
@given(
    parties=st.lists(TEXT, min_size=1, max_size=6, unique=True),
    station=TEXT,
    source=TEXT,
    entered_by=st.none() | TEXT,
    reason=st.none() | TEXT,
    data=st.data(),
)
def test_payload_template_equals_canonical_json(
    parties: list[str],
    station: str,
    source: str,
    entered_by: str | None,
    reason: str | None,
    data: st.DataObject,
) -> None:
    table = ElectionTable.from_payload(election_payload(parties, 100))
    numbers = data.draw(st.lists(COUNT, min_size=6 + len(parties), max_size=6 + len(parties)))
    row: CountRow = (2, station, source, entered_by, reason, numbers, None, None)
    reference = canonical_json(protocol_payload(count_row_protocol(row, parties), parties))
    assert table.payload_json(row) == reference


SMALL = st.integers(min_value=0, max_value=60)


@settings(max_examples=2000, deadline=None)
@given(
    base=st.lists(SMALL, min_size=6, max_size=6),
    votes=st.lists(SMALL, min_size=3, max_size=3),
    listed=st.none() | SMALL,
    matching=st.booleans(),
)
def test_clean_exactly_when_the_checks_find_nothing(
    base: list[int], votes: list[int], listed: int | None, matching: bool
) -> None:
    if matching:  # make P101 hold often enough to reach the other relations
        base[3] = base[4] + base[5] + sum(votes)
    parties = ("a", "b", "c")
    reg, rec, iss, cast, inv, against = base
    p = Protocol("s1", reg, rec, iss, cast, inv, against, dict(zip(parties, votes, strict=True)))
    table = {} if listed is None else {"s1": listed}
    findings = check_protocol(p, None, station_registered=table, party_ids=frozenset(parties))
    assert is_clean([*base, *votes], table.get("s1")) == (findings == [])


def test_prepare_sends_doubtful_rows_to_the_reference_path() -> None:
    table = ElectionTable.from_payload(election_payload(["a"], 100))
    clean: CountRow = (2, "s1", "official", None, None, [100, 80, 80, 70, 5, 5, 60], None, None)
    ready = prepare(table, clean)
    assert isinstance(ready, tuple) and ready[:2] == ("s1", "official")
    for row in (
        (3, "s1", "nobody", None, None, clean[5], None, None),  # P005
        (4, "s9", "official", None, None, clean[5], None, None),  # P002
        (5, "s1", "official", None, None, [100, 80, 80, 70, 5, 5, 61], None, None),  # P101
        (6, "s1", "official", None, None, [100, 99, 99, 99, 0, 0, 99], None, None),  # P108
    ):
        assert isinstance(prepare(table, row), Pending)


PARTIES = sample_parties(4)
STATIONS = sample_stations(40)


def mixed_protocols() -> list[Protocol]:
    """Clean rows, a warning (P108), errors (P101, P002), and an unknown source."""
    ps = list(sample_protocols(STATIONS, tuple(p.id for p in PARTIES), seed=4))
    ps[1] = replace(ps[1], ballots_issued=ps[1].registered, ballots_received=ps[1].registered)
    ps[1] = replace(
        ps[1],
        ballots_cast=ps[1].registered,
        invalid=ps[1].registered - sum(ps[1].votes.values()),
        against_all=0,
    )
    ps[2] = replace(ps[2], ballots_cast=ps[2].ballots_cast + 1)
    ps[3] = replace(ps[3], station="nowhere")
    ps[4] = replace(ps[4], source="rumour")
    return ps


def define(store: Store, stations: tuple[Station, ...] = STATIONS, eid: str = "e") -> str:
    return create_election(
        store, law="kg-2020", parties=PARTIES, stations=stations, author="cec", election_id=eid
    ).id


def write(path: Path, protocols: list[Protocol]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_protocols_csv(fh, protocols, [p.id for p in PARTIES])
    return path


def payloads(store: Store, eid: str) -> list[tuple[str, str, str | None]]:
    return [(r[2], r[7], r[8]) for r in store.event_rows(eid, 1)]


@pytest.mark.parametrize("parser_process", [False, True], ids=["in-process", "parser-process"])
def test_import_stores_what_record_protocols_stores(
    store: Store, tmp_path: Path, parser_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parser_process:  # the national-file path, forced on a small file
        monkeypatch.setattr(importer, "PARSER_PROCESS_ROWS", 0)
    ps = mixed_protocols()
    define(store, eid="bulk")
    define(store, eid="reference")
    summary = import_file(
        store, write(tmp_path / "p.csv", ps), election_id="bulk", batch_size=7, progress=False
    )
    result = record_protocols(store, "reference", ps, "system")
    assert summary.recorded == len(result.recorded) == len(ps) - 3
    assert summary.warnings == {"P108": 1}
    assert summary.errors == {"P101": 1, "P002": 1, "P005": 1}
    assert payloads(store, "bulk") == payloads(store, "reference")

    # re-import: duplicates skipped; a correction takes the reference path inside a batch
    fixed = replace(ps[0], invalid=ps[0].invalid + 1, against_all=ps[0].against_all - 1)
    fixed = replace(fixed, reason="recount")
    again = import_file(
        store,
        write(tmp_path / "q.csv", [fixed, *ps[5:]]),
        election_id="bulk",
        batch_size=7,
        progress=False,
    )
    assert (again.recorded, again.corrected, again.duplicates) == (1, 1, len(ps) - 5)
    record_protocols(store, "reference", [fixed], "system")
    assert payloads(store, "bulk") == payloads(store, "reference")
    assert all(r.ok for r in verify_store(store))


def test_region_and_district_columns(tmp_path: Path, store: Store) -> None:
    stations = tuple(
        Station(s.id, f"Чуй {i % 2}", f"район {i % 3}", s.registered)
        for i, s in enumerate(STATIONS)
    )
    define(store, stations)
    ps = list(sample_protocols(stations, tuple(p.id for p in PARTIES), seed=5))
    path = tmp_path / "units.csv"
    ids = [p.id for p in PARTIES]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["station", "region", "district", *ids[:2], "registered", "ballots_received"]
            + ["ballots_issued", "ballots_cast", "invalid", "against_all", *ids[2:]]
        )
        for n, (p, s) in enumerate(zip(ps, stations, strict=True)):
            region = "Ош" if n == 3 else s.region
            district = "" if n == 4 else ("район 9" if n == 5 else s.district)
            w.writerow(
                [p.station, region, district, p.votes[ids[0]], p.votes[ids[1]], p.registered]
                + [p.ballots_received, p.ballots_issued, p.ballots_cast, p.invalid]
                + [p.against_all, *(p.votes[i] for i in ids[2:])]
            )
    summary = import_file(store, path, progress=False)
    assert (summary.recorded, summary.rejected) == (len(ps) - 2, 2)
    assert summary.errors == {"P006": 2}
    report = list(
        csv.DictReader(Path(str(summary.report)).read_text(encoding="utf-8").splitlines())
    )
    assert [(r["line"], r["column"], r["code"]) for r in report] == [
        ("5", "region", "P006"),
        ("7", "district", "P006"),
    ]
    assert (
        '"in_file": "Ош"' in report[0]["values"]
        and f'"{stations[3].region}"' in report[0]["values"]
    )
    assert report[0]["file"] == str(path)
    stored = store.latest_protocols("e")
    assert all("region" not in e.payload and "district" not in e.payload for e in stored.values())


def test_a_broken_csv_in_the_parser_process_is_an_input_error(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "PARSER_PROCESS_ROWS", 0)
    define(store)
    path = write(tmp_path / "p.csv", list(sample_protocols(STATIONS, tuple(p.id for p in PARTIES))))
    with path.open("a", encoding="utf-8") as fh:
        fh.write("s999," + "9" * 200_000 + "\n")  # beyond csv's field size limit: csv.Error
    with pytest.raises(InputError) as caught:
        import_file(store, path, batch_size=7, progress=False)
    assert caught.value.rule == "csv" and caught.value.file == str(path)


@pytest.mark.parametrize("parser_process", [False, True], ids=["in-process", "parser-process"])
def test_rejections_stream_out_in_batches(
    store: Store, tmp_path: Path, parser_process: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    if parser_process:
        monkeypatch.setattr(importer, "PARSER_PROCESS_ROWS", 0)
    define(store)
    ps = list(sample_protocols(STATIONS, tuple(p.id for p in PARTIES), seed=6))
    path = write(tmp_path / "p.csv", ps[:3] + ps[:3] + ps[3:5])  # rows 5-7 repeat rows 2-4
    with path.open("a", encoding="utf-8") as fh:
        fh.write("s001,x,1,1,1,0,0,1,0,0,0,official,,\n" * 3)  # unreadable counts: P001
    summary = import_file(store, path, batch_size=2, progress=False)
    assert (summary.rows, summary.recorded, summary.rejected) == (11, 5, 6)
    assert summary.errors == {"P202": 3, "P001": 3}
    report = list(csv.DictReader(Path(str(summary.report)).read_text("utf-8").splitlines()))
    assert sorted({int(r["line"]) for r in report}) == [5, 6, 7, 10, 11, 12]


# a count cell as a file may hold it: plain digits, leading zeros, signs, spaces, empty, words
CELL = st.one_of(
    SMALL.map(str),
    st.integers(0, 10**20).map(str),
    st.sampled_from(["007", "0", "-5", " 5", "5 ", "", "+5", "1e3", "5.0", "٣", "x"]),
)


@settings(max_examples=1500, deadline=None)
@given(
    base=st.lists(SMALL, min_size=6, max_size=6),
    votes=st.lists(SMALL, min_size=3, max_size=3),
    matching=st.booleans() | st.just(True),
    noise=st.just({}) | st.dictionaries(st.integers(0, 8), CELL, max_size=2),
    station=st.sampled_from(["s1", "s1", " s1 ", "s9", ""]),
    source=st.sampled_from(["", "", "official", "machine", "rumour", "observer:o1"]),
    entered_by=st.sampled_from(["", "ann", 'a"b\\c%d']),
    reason=st.sampled_from(["", "recount", "50%s off"]),
    units=st.sampled_from(
        [None, ("", ""), ("R", "D"), (" R ", ""), ("", "D"), ("R", "X"), ("X", "")]
    ),
    parties=st.sampled_from([("a", "b", "c"), ("z%s", 'q"', "%%"), ("ö", "b\\", "a b")]),
)
def test_quick_row_agrees_with_the_general_reading(
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
) -> None:
    """Whatever ``quick_row`` makes of a row is what ``count_row`` + ``prepare`` make of it
    (a region or district it accepts passes ``check_units``); it may decline a row (None),
    never change its outcome."""
    from shailoo.io.canonical import Header, count_row

    if matching:  # mostly a clean protocol, so that the quick path is taken often
        balance(base, votes)
    table = ElectionTable.from_payload(election_payload(list(parties), 1000))
    names = ["station", "registered", "ballots_received", "ballots_issued", "ballots_cast"]
    names += ["invalid", "against_all", parties[2], parties[0], parties[1]]
    names += ["source", "entered_by", "reason"]
    counts = [str(x) for x in base] + [str(votes[2]), str(votes[0]), str(votes[1])]
    for i, cell in noise.items():
        counts[i] = cell
    cells = [station, *counts, source, entered_by, reason]
    if units is not None:
        names += ["region", "district"]
        cells += list(units)
    header = Header(names, list(parties), "f.csv")
    quick = table.quick_row(header)(cells, 7)
    row = count_row(cells, header, 7)
    if quick is None:
        return
    assert row is not None
    assert check_units(row[1], row[6], row[7], table.units) == []  # a region given is right
    assert prepare(table, row) == quick


def _chained_batch(store: Store, eid: str, ps: list[Protocol]) -> tuple[ElectionTable, Chained]:
    """The first batch of ``ps`` as the parser process chains it, from the current head."""
    table = ElectionTable.of(store, eid)
    rows = ((n + 2, p) for n, p in enumerate(ps))
    entries: list[Ready | Pending] = [Pending(line, p) for line, p in rows]
    chained, refused = chain_fresh(table, entries, "system", store.head_link(eid))
    assert len(refused) == 3  # mixed_protocols: P101, P002, P005
    return table, chained


def test_a_chained_batch_is_inserted_when_the_ledger_did_not_move(store: Store) -> None:
    ps = mixed_protocols()
    define(store, eid="bulk")
    define(store, eid="reference")
    table, chained = _chained_batch(store, "bulk", ps)
    result = record_chained(store, table, chained, "system")
    assert (result.recorded, result.warnings) == (len(ps) - 3, {"P108": 1})
    record_protocols(store, "reference", ps, "system")
    assert payloads(store, "bulk") == payloads(store, "reference")
    assert all(r.ok for r in verify_store(store))


def test_a_chained_batch_is_recorded_anew_when_another_writer_came_first(store: Store) -> None:
    ps = mixed_protocols()
    define(store, eid="bulk")
    table, chained = _chained_batch(store, "bulk", ps)
    # meanwhile an operator records station 0 (other counts) and station 5 (the same counts)
    other = replace(ps[0], invalid=ps[0].invalid + 1, against_all=ps[0].against_all - 1)
    record_protocols(store, "bulk", [other, ps[5]], "operator")
    result = record_chained(store, table, chained, "system")
    # ps[0] is now a correction without a reason (P201 refused), ps[5] already stored
    assert (result.duplicates, result.corrected) == (1, 0)
    assert [f.code for _, _, fs in result.rejected for f in fs if f.is_error] == ["P201"]
    assert result.recorded == len(ps) - 3 - 2
    assert result.warnings == {"P108": 1}
    assert all(r.ok for r in verify_store(store))
    assert store.count("bulk") == 1 + 2 + result.recorded


def _packed_batch(store: Store, eid: str, ps: list[Protocol]) -> Packed:
    """The first batch of ``ps`` as the parser process packs it for PostgreSQL."""
    table = ElectionTable.of(store, eid)
    entries: list[Ready | Pending] = [Pending(n + 2, p) for n, p in enumerate(ps)]
    packed, refused = pack_fresh(table, entries, "system", store.head_link(eid))
    assert len(refused) == 3  # mixed_protocols: P101, P002, P005
    return packed


def test_a_packed_batch_is_inserted_when_the_ledger_did_not_move(store: Store) -> None:
    """The parser process's packed form of a batch stores the same rows (PostgreSQL), and a
    store that does not take binary COPY data refuses it (SQLite)."""
    ps = mixed_protocols()
    define(store, eid="bulk")
    define(store, eid="reference")
    table, chained = _chained_batch(store, "bulk", ps)
    packed = _packed_batch(store, "bulk", ps)
    assert packed.ready() == chained.ready()
    assert packed.head[0] == chained.head[0]
    if not store.packs_rows:
        with pytest.raises(LedgerError, match="does not take packed rows"):
            record_chained(store, table, packed, "system")
        return
    result = record_chained(store, table, packed, "system")
    assert (result.recorded, result.warnings) == (len(ps) - 3, {"P108": 1})
    record_protocols(store, "reference", ps, "system")
    assert payloads(store, "bulk") == payloads(store, "reference")
    assert all(r.ok for r in verify_store(store))


def test_a_packed_batch_is_recorded_anew_when_another_writer_came_first(store: Store) -> None:
    ps = mixed_protocols()
    define(store, eid="bulk")
    table = ElectionTable.of(store, "bulk")
    packed = _packed_batch(store, "bulk", ps)
    record_protocols(store, "bulk", [ps[5]], "operator")  # the same counts: a duplicate
    if not store.packs_rows:
        with pytest.raises(LedgerError, match="does not take packed rows"):
            record_chained(store, table, packed, "system")
        return
    result = record_chained(store, table, packed, "system")
    assert (result.duplicates, result.recorded) == (1, len(ps) - 3 - 1)
    assert all(r.ok for r in verify_store(store))
