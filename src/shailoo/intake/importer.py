"""Importing a protocol file: stream, check, append in batches, report the rejected rows.

Memory stays flat in the number of rows: rows are read one at a time and appended in batches
of ``batch_size`` (one transaction each); only the set of ``(station, source)`` pairs seen in
the file is kept, to refuse a station that appears twice, besides the election's station table. A crash loses at most the batch in
flight (its transaction rolls back); importing the file again skips what is stored already.
"""

from __future__ import annotations

import contextlib
import csv
import gc
import itertools
import json
import sys
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

from shailoo import speedups
from shailoo.checks.protocol import CODES, Finding, check_units
from shailoo.domain.definition import outline_from_json
from shailoo.domain.errors import InputError
from shailoo.domain.events import protocol_from_payload
from shailoo.domain.model import Protocol
from shailoo.gc_pause import cycle_collector_paused
from shailoo.intake.bulk import (
    BatchResult,
    Chained,
    ElectionTable,
    Packed,
    Pending,
    Ready,
    chain_fresh,
    is_clean,
    pack_fresh,
    prepare,
    record_batch,
    record_chained,
)
from shailoo.io.canonical import (
    CountRow,
    ProtocolRow,
    check_file,
    check_utf8,
    count_row_protocol,
    file_format,
    header_for,
    protocol_cells,
    read_protocol_counts,
)
from shailoo.ledger.store import Store

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

REPORT_COLUMNS = ("file", "line", "column", "code", "severity", "message", "values", "row")
#: short names of the row rules that are not protocol checks (for the summary)
ROW_RULES = {"json": "not a JSON protocol object"}


def _rule_name(code: str) -> str:
    return CODES[code][1] if code in CODES else ROW_RULES.get(code, code)


def report_path_for(path: Path) -> Path:
    """Where the rejected rows of ``path`` go: ``<name>.rejected.csv`` beside it."""
    return path.with_name(path.stem + ".rejected.csv")


@dataclass
class ImportSummary:
    """Counts of one import and where its rejection report is."""

    file: str
    election_id: str
    rows: int = 0
    recorded: int = 0
    corrected: int = 0
    duplicates: int = 0
    rejected: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    report: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every row was accepted (or already stored), 1 when some were rejected."""
        return 1 if self.rejected else 0

    def lines(self) -> list[str]:
        """The summary for the screen."""
        out = [
            f"{self.file}: {self.rows} rows into election {self.election_id}: "
            f"{self.recorded} recorded ({self.corrected} corrections), "
            f"{self.duplicates} already stored, {self.rejected} rejected"
        ]
        for code, n in sorted(self.errors.items()):
            out.append(f"  error   {code} {_rule_name(code)}: {n}")
        for code, n in sorted(self.warnings.items()):
            out.append(f"  warning {code} {_rule_name(code)}: {n}")
        if self.report:
            out.append(f"rejected rows with their reasons: {self.report}")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON."""
        return {
            "file": self.file,
            "election_id": self.election_id,
            "rows": self.rows,
            "recorded": self.recorded,
            "corrected": self.corrected,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "errors": dict(self.errors),
            "warnings": dict(self.warnings),
            "report": self.report,
        }


class _Report:
    """The rejection report, opened on the first rejected row."""

    def __init__(self, path: Path, file: str) -> None:
        self.path = path
        self.file = file
        self.fh: IO[str] | None = None
        self.writer: Any = None

    def add(self, line: int, findings: list[Finding], row: dict[str, Any]) -> None:
        if self.fh is None:
            try:
                self.fh = self.path.open("w", encoding="utf-8", newline="")
            except OSError as exc:
                raise InputError(
                    f"cannot write the rejection report ({exc.strerror}); choose another "
                    "place with --report",
                    file=str(self.path),
                    rule="report",
                ) from exc
            self.writer = csv.writer(self.fh, lineterminator="\n")
            self.writer.writerow(REPORT_COLUMNS)
        row_json = json.dumps(row, ensure_ascii=False)
        for f in findings:
            if f.is_error:
                self.writer.writerow(
                    [
                        self.file,
                        line,
                        f.column or "",
                        f.code,
                        f.severity,
                        f.message,
                        json.dumps(dict(f.values), ensure_ascii=False, default=str),
                        row_json,
                    ]
                )

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()


def _check_report_target(target: Path) -> None:
    """Refuse a rejection report that could never be written (a folder, or a folder that does
    not exist) before anything is recorded: found at the first rejected row, the import would
    stop with exit 2 ("nothing recorded") after earlier batches were committed. A folder
    without write permission is still found only when a row is rejected, so that a clean file
    imports from a read-only place."""
    problem = None
    if target.is_dir():
        problem = "is a directory"
    elif not target.parent.is_dir():
        problem = f"its folder {str(target.parent)!r} does not exist"
    if problem:
        raise InputError(
            f"the rejection report cannot go there ({problem}); give a file with --report",
            file=str(target),
            rule="report",
        )


#: rows found in one batch: ``(rows read so far, entries to record, rejected rows)``, each
#: rejected row as ``(line, findings, cells by column)``; the entries come as a
#: :class:`~shailoo.intake.bulk.Chained` batch once chained (into an election without stored
#: protocols), as a :class:`~shailoo.intake.bulk.Packed` one when the parser process packed it
BatchMessage = tuple[
    int, "list[Ready | Pending] | Chained | Packed", list[tuple[int, list[Finding], dict[str, Any]]]
]

#: the first batch of the parser process (each next one doubles, up to the batch size): the
#: writer waits for it, so it is small
FIRST_BATCH = 1000
#: files with fewer rows than this are parsed in the importing process (a parser process
#: costs a fork and the pickling of every batch; it pays off on national files)
PARSER_PROCESS_ROWS = 20_000


def file_batches(
    rows: Iterator[ProtocolRow | CountRow | Ready],
    table: ElectionTable,
    batch_size: int,
    first_batch: int | None = None,
) -> Iterator[BatchMessage]:
    """Group a file's rows into batches, doing everything that needs no ledger access.

    Per row: a row that could not be read is rejected with its findings; a second row for the
    same ``(station, source)`` is rejected with P202 (the first is kept); a ``region`` or
    ``district`` differing from the election's gets P006 (:func:`check_units`, decided with the
    other checks); the rest are :func:`~shailoo.intake.bulk.prepare`-d. Pure: it may run in
    another process.

    ``first_batch``: the first batch holds that many rows and each next one twice as many, up
    to ``batch_size``; with the parser in another process the writer then starts sooner.
    """
    party_ids = table.party_ids
    header = header_for(party_ids)
    registered = table.registered
    seen: dict[tuple[str, str], int] = {}
    limit = min(batch_size, first_batch or batch_size)
    batch: list[Ready | Pending] = []
    rejected: list[tuple[int, list[Finding], dict[str, Any]]] = []
    n = 0
    row: ProtocolRow | CountRow
    for item in rows:
        n += 1
        entry: Ready | Pending
        if type(item) is tuple and len(item) == 4:
            # a row ElectionTable.quick_row made ready: only the repeat check is left
            ready = item
            if (ready[0], ready[1]) not in seen:
                seen[(ready[0], ready[1])] = ready[3]
                batch.append(ready)
                if len(batch) >= limit:
                    yield n, batch, rejected
                    batch, rejected = [], []
                    limit = min(batch_size, 2 * limit)
                continue
            # a repeat: rejected below, with the protocol its payload holds
            row = _ready_count_row(ready, party_ids)
        else:
            row = cast("ProtocolRow | CountRow", item)
        if type(row) is tuple and row[6] is None and row[7] is None:
            # the common row, kept short: prepare() spelled out
            line, station, source = row[0], row[1], row[2]
            key = (station, source)
            if key not in seen:
                seen[key] = line
                if table.valid_source(source) and is_clean(row[5], registered.get(station)):
                    batch.append((station, source, table.payload_json(row), line))
                else:
                    batch.append(
                        Pending(
                            line,
                            count_row_protocol(row, party_ids),
                            table.row_findings(station, source),
                        )
                    )
                if len(batch) >= limit:
                    yield n, batch, rejected
                    batch, rejected = [], []
                    limit = min(batch_size, 2 * limit)
                continue
        if type(row) is tuple:
            count: CountRow | None = row
            line, station, source, region, district = row[0], row[1], row[2], row[6], row[7]
            p: Protocol | None = None
            station_finding: Finding | None = None
        else:
            assert isinstance(row, ProtocolRow)
            p = row.protocol
            if p is None:
                rejected.append((row.line, row.findings, row.values))
                if len(rejected) >= batch_size:  # memory stays flat on a file of bad rows
                    yield n, batch, rejected
                    batch, rejected = [], []
                continue
            if row.numeric_station and p.station not in registered:
                p, station_finding = _numeric_station(p, table)
            else:
                station_finding = None
            line, station, source = row.line, p.station, p.source
            region, district = row.region, row.district
            count = None
        key = (station, source)
        first_line = seen.get(key)
        if first_line is not None:
            if p is None:
                assert count is not None
                p = count_row_protocol(count, party_ids)
            finding = Finding(
                "P202",
                "error",
                f"station {station!r} (source {source}) is already on line {first_line} of this "
                "file; keep one row, or import the correction separately with a reason",
                "station",
                {"station": station, "first_line": first_line},
            )
            cells = dict(zip(header, protocol_cells(p, party_ids), strict=True))
            rejected.append((line, [finding], cells))
            if len(rejected) >= batch_size:
                yield n, batch, rejected
                batch, rejected = [], []
            continue
        seen[key] = line
        wrong = (
            check_units(station, region, district, table.units)
            if region is not None or district is not None
            else None
        )
        if wrong:
            if p is None:
                assert count is not None
                p = count_row_protocol(count, party_ids)
            entry = Pending(line, p, wrong + table.row_findings(station, source))
        elif count is not None:
            entry = prepare(table, count)
        else:
            assert p is not None
            if station_finding is not None:
                extra = table.source_findings(source) + [station_finding]
            else:
                extra = table.row_findings(station, source)
            entry = Pending(line, p, extra)
        batch.append(entry)
        if len(batch) >= limit:
            yield n, batch, rejected
            batch, rejected = [], []
            limit = min(batch_size, 2 * limit)
    if batch or rejected:
        yield n, batch, rejected


def _ready_count_row(ready: Ready, party_ids: tuple[str, ...]) -> CountRow:
    """The :data:`CountRow` of a :data:`Ready` row, read back from its payload (only for a row
    that must be rejected after all: a second row of its station and source)."""
    p = protocol_from_payload(json.loads(ready[2]))
    numbers = [p.registered, p.ballots_received, p.ballots_issued, p.ballots_cast, p.invalid]
    numbers += [p.against_all, *(p.votes[pid] for pid in party_ids)]
    return (ready[3], p.station, p.source, p.entered_by, p.reason, numbers, None, None)


def _numeric_station(p: Protocol, table: ElectionTable) -> tuple[Protocol, Finding | None]:
    """A station cell that was a number and is not a station id: a spreadsheet stored
    ``0009`` as 9. The protocol of the one station whose id is the number once its leading
    zeros are stripped; else the protocol unchanged and a P002 that mentions the zeros."""
    matches = table.stations_without_zeros(p.station)
    if len(matches) == 1:
        return replace(p, station=matches[0]), None
    if matches:
        hint = (
            f"it matches {len(matches)} station ids once leading zeros are dropped "
            f"({', '.join(sorted(matches)[:5])}); format the station column as text"
        )
    else:
        hint = (
            "the cell is a number (a spreadsheet drops leading zeros) and no station id "
            "matches it with leading zeros either; check the id and format the column as text"
        )
    finding = Finding(
        "P002",
        "error",
        f"station {p.station!r} is not in this election's station list; {hint}",
        "station",
        {"station": p.station, "candidates": sorted(matches)},
    )
    return p, finding


def chained_batches(
    messages: Iterator[BatchMessage],
    table: ElectionTable,
    author: str,
    after: tuple[int, str],
    chain: Callable[..., tuple[Chained | Packed, list[tuple[int, Protocol, list[Finding]]]]] = (
        chain_fresh
    ),
) -> Iterator[BatchMessage]:
    """``messages`` with their entries checked and chained (``chain``: :func:`chain_fresh`,
    or :func:`~shailoo.intake.bulk.pack_fresh` for binary COPY data) one batch after the
    other from the head ``after``: for an election with no stored protocol."""
    header = header_for(table.party_ids)
    for rows_read, entries, rejected in messages:
        assert isinstance(entries, list)
        batch, refused = chain(table, entries, author, after)
        after = batch.head
        for line, p, findings in refused:
            cells = dict(zip(header, protocol_cells(p, table.party_ids), strict=True))
            rejected.append((line, findings, cells))
        yield rows_read, batch, rejected


def packed_batches(
    messages: Iterator[BatchMessage], table: ElectionTable, author: str, after: tuple[int, str]
) -> Iterator[BatchMessage]:
    """:func:`chained_batches` as :class:`~shailoo.intake.bulk.Packed` batches: what the
    parser process sends to a store that takes binary COPY data (needs the C module)."""
    return chained_batches(messages, table, author, after, pack_fresh)


def _parse_in_child(
    path: Path,
    table: ElectionTable,
    batch_size: int,
    chain: tuple[str, tuple[int, str]] | None,
    out: Connection,
    parent_end: Connection,
) -> None:  # pragma: no cover - runs in the forked parser process
    """The parser process: send every :data:`BatchMessage`, then None (or the exception).
    ``chain`` = ``(author, head)``: chain and pack the batches from that head too
    (:func:`packed_batches`).

    The inherited copy of the receiving end is closed first: then, if the importing process
    dies (even by SIGKILL), the next send fails with a broken pipe and this process ends
    instead of waiting forever on a full pipe.
    """
    import pickle  # imported by multiprocessing already; here for its exception type

    parent_end.close()
    gc.disable()  # this process only makes acyclic rows and batches (see shailoo.gc_pause)
    try:
        rows = read_protocol_counts(path, table.party_ids, checked_utf8=True, quick=table.quick_row)
        messages = file_batches(rows, table, batch_size, FIRST_BATCH)
        if chain is not None:
            messages = packed_batches(messages, table, chain[0], chain[1])
        for message in messages:
            out.send(message)
        out.send(None)
    except (BrokenPipeError, ConnectionResetError):
        return  # the importing process is gone; nothing to tell
    except BaseException as exc:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            try:
                out.send(("error", exc))
            except (pickle.PicklingError, TypeError, AttributeError):
                # an exception that does not pickle: keep its text
                out.send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        out.close()


def _batches_from_child(
    path: Path,
    table: ElectionTable,
    batch_size: int,
    chain: tuple[str, tuple[int, str]] | None = None,
) -> Iterator[BatchMessage] | None:
    """Parse in a forked process (None where ``fork`` is not available): the two halves of an
    import, reading + checking and chaining + writing, then use two cores. With ``chain``
    (``(author, head)``) the process also chains the batches and packs them
    (:func:`packed_batches`): this one then only writes."""
    # imported here: about 15 ms of start-up that an import of a small file does not need
    import multiprocessing

    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return None
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_parse_in_child,
        args=(path, table, batch_size, chain, send, receive),
        name="shailoo-parse",
        daemon=True,
    )
    child.start()
    send.close()

    def messages() -> Iterator[BatchMessage]:
        try:
            while True:
                try:
                    message = receive.recv()
                except EOFError:
                    raise RuntimeError("the parser process ended without a result") from None
                if message is None:
                    return
                if message[0] == "error":
                    raise message[1]
                yield message
        finally:
            receive.close()
            if child.is_alive():
                child.terminate()
            child.join()

    return messages()


class _NoBar:
    """What an import without a progress bar updates instead of one."""

    n = 0

    def update(self, n: int) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


def import_file(
    store: Store,
    path: str | Path,
    *,
    election_id: str | None = None,
    author: str = "system",
    batch_size: int = 10000,
    report_path: str | Path | None = None,
    progress: bool = True,
    allow_observer_sources: bool = False,
    definition_text: str | None = None,
) -> ImportSummary:
    """Import a canonical protocol file (CSV, XLSX, JSON, JSON Lines) into an election.

    Rows that break a rule are written to ``report_path`` (default ``<name>.rejected.csv``
    beside the file) with file, line, column, check code, message and values; the others are
    recorded. Raises :class:`~shailoo.domain.errors.InputError` when the file cannot be read at
    all (nothing is recorded then). Simple CSV rows take the bulk path of
    :mod:`shailoo.intake.bulk` (same checks, same events, no per-row objects); a large CSV file
    is read and checked in a forked parser process while this one chains and writes.

    Rows whose source is ``observer:<id>`` are refused with P007 unless
    ``allow_observer_sources`` (for a caller that checked the observer's accreditation and
    scope, as ``shailoo observer copies`` does).

    ``definition_text``: :meth:`Store.definition_text` of the election (``election_id``, or
    the current one), when the caller has read it already; else it is read here.
    """
    path = Path(path)
    check_file(path)  # a folder or a missing file, named as such, before anything is read
    report_target = Path(report_path) if report_path else report_path_for(path)
    _check_report_target(report_target)
    eid = election_id or store.current_election()
    if definition_text is None:
        table = ElectionTable.of(store, eid, allow_observer_sources=allow_observer_sources)
    else:
        outline = outline_from_json(definition_text)
        table = ElectionTable(outline, allow_observer_sources=allow_observer_sources)
    party_ids = table.party_ids
    fmt = file_format(path)
    total = check_utf8(path) - 1 if fmt in ("csv", "jsonl") else None
    rows_iter = read_protocol_counts(
        path, party_ids, checked_utf8=total is not None, quick=table.quick_row
    )
    first = next(rows_iter, None)  # the header is checked here: a bad file records nothing
    # Into an election with no protocol yet (a first import), each batch is checked and chained
    # ahead while the writer thread stores the one before; record_chained checks under the
    # lock that the ledger did not move meanwhile. (The head is read first: a protocol stored
    # after that moves the head too.) Where the store takes binary COPY data, the parser
    # process chains and packs (one bytes value per batch crosses the pipe); otherwise this
    # thread chains, so that the parser's small entries cross it, not whole ledger rows.
    head = store.head_link(eid)
    fresh = not store.has_protocols(eid)
    packable = fresh and store.packs_rows and speedups.native is not None
    batches: Iterator[BatchMessage] | None = None
    packed = False
    if fmt == "csv" and total is not None and total >= PARSER_PROCESS_ROWS:
        rows_iter.close()  # type: ignore[attr-defined]
        chain = (author, head) if packable else None
        batches = _batches_from_child(path, table, max(1, batch_size), chain)
        packed = batches is not None and packable
    if batches is None:
        batches = file_batches(
            itertools.chain([] if first is None else [first], rows_iter), table, max(1, batch_size)
        )
    if fresh and not packed:
        batches = chained_batches(batches, table, author, head)
    report = _Report(report_target, str(path))
    summary = ImportSummary(file=str(path), election_id=eid)
    header = header_for(party_ids)

    def reject(line: int, findings: list[Finding], values: dict[str, Any]) -> None:
        summary.rejected += 1
        for f in findings:
            if f.is_error:
                summary.errors[f.code] += 1
        report.add(line, findings, values)

    def collect(result: BatchResult) -> None:
        summary.recorded += result.recorded
        summary.corrected += result.corrected
        summary.duplicates += result.duplicates
        summary.warnings.update(result.warnings)
        for line, p, findings in result.rejected:
            reject(line, findings, dict(zip(header, protocol_cells(p, party_ids), strict=True)))

    bar: Any = _NoBar()
    if progress:
        from tqdm import tqdm  # 30 ms of imports that a quiet (scripted) import does not need

        bar = tqdm(
            total=total if total and total > 0 else None,
            unit="row",
            desc=path.name,
            file=sys.stderr,
            mininterval=0.5,
        )
    # One thread writes batch N (SQLite and psycopg release the GIL while the database works,
    # and fsync waits) while this one receives and prepares batch N + 1. Batches still commit
    # one by one, in file order, each in its own transaction, so what a crash leaves is the same.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shailoo-import")
    in_flight: deque[Future[BatchResult]] = deque()
    try:
        with cycle_collector_paused():  # rows, batches and payloads are acyclic
            for rows_read, entries, rejected in batches:
                summary.rows = rows_read
                for line, findings, values in rejected:
                    reject(line, findings, values)
                if isinstance(entries, Chained | Packed):
                    in_flight.append(writer.submit(record_chained, store, table, entries, author))
                elif entries:
                    in_flight.append(writer.submit(record_batch, store, table, entries, author))
                while len(in_flight) > 1:
                    collect(in_flight.popleft().result())
                bar.update(summary.rows - bar.n)
            while in_flight:
                collect(in_flight.popleft().result())
            bar.update(summary.rows - bar.n)
    finally:
        writer.shutdown(wait=True, cancel_futures=True)
        close = getattr(batches, "close", None)
        if close is not None:
            close()
        bar.close()
        report.close()
    stale = report.path
    if report.fh is not None:
        summary.report = str(report.path)
    elif stale.exists() and report_path is None:
        stale.unlink()  # an old report of this file would now be misleading
    return summary
