"""Importing a protocol file: stream, check, append in batches, report the rejected rows.

Memory stays flat in the number of rows: rows are read one at a time and appended in batches
of ``batch_size`` (one transaction each); only the set of ``(station, source)`` pairs seen in
the file is kept, to refuse a station that appears twice, besides the election's station table. A crash loses at most the batch in
flight (its transaction rolls back); importing the file again skips what is stored already.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter, deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tqdm import tqdm

from shailoo.checks.protocol import CODES, Finding, check_units
from shailoo.domain.errors import InputError
from shailoo.domain.model import Protocol
from shailoo.intake.bulk import (
    BatchResult,
    ElectionTable,
    Pending,
    Ready,
    prepare,
    record_batch,
)
from shailoo.io.canonical import (
    CountRow,
    ProtocolRow,
    check_utf8,
    count_row_protocol,
    file_format,
    header_for,
    protocol_cells,
    read_protocol_counts,
)
from shailoo.ledger.store import Store

REPORT_COLUMNS = ("file", "line", "column", "code", "severity", "message", "values", "row")


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
            out.append(f"  error   {code} {CODES.get(code, ('', code))[1]}: {n}")
        for code, n in sorted(self.warnings.items()):
            out.append(f"  warning {code} {CODES.get(code, ('', code))[1]}: {n}")
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


def import_file(
    store: Store,
    path: str | Path,
    *,
    election_id: str | None = None,
    author: str = "system",
    batch_size: int = 2000,
    report_path: str | Path | None = None,
    progress: bool = True,
) -> ImportSummary:
    """Import a canonical protocol file (CSV, XLSX, JSON, JSON Lines) into an election.

    Rows that break a rule are written to ``report_path`` (default ``<name>.rejected.csv``
    beside the file) with file, line, column, check code, message and values; the others are
    recorded. Raises :class:`~shailoo.domain.errors.InputError` when the file cannot be read at
    all (nothing is recorded then). Simple CSV rows take the bulk path of
    :mod:`shailoo.intake.bulk` (same checks, same events, no per-row objects).
    """
    path = Path(path)
    eid = election_id or store.current_election()
    table = ElectionTable.of(store, eid)
    party_ids = table.party_ids
    fmt = file_format(path)
    total = check_utf8(path) - 1 if fmt in ("csv", "jsonl") and path.is_file() else None
    rows_iter = read_protocol_counts(path, party_ids, checked_utf8=total is not None)
    first = next(rows_iter, None)  # the header is checked here: a bad file records nothing
    report = _Report(Path(report_path) if report_path else report_path_for(path), str(path))
    summary = ImportSummary(file=str(path), election_id=eid)
    seen: dict[tuple[str, str], int] = {}
    batch: list[Ready | Pending] = []
    units = table.units
    header = header_for(party_ids)

    def cells_of(p: Protocol) -> dict[str, Any]:
        return dict(zip(header, protocol_cells(p, party_ids), strict=True))

    # One thread writes batch N (SQLite and psycopg release the GIL while the database works,
    # and fsync waits) while this one reads and prepares batch N + 1. Batches still commit
    # one by one, in file order, each in its own transaction, so what a crash leaves is the same.
    writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shailoo-import")
    in_flight: deque[Future[BatchResult]] = deque()

    def flush() -> None:
        in_flight.append(writer.submit(record_batch, store, table, list(batch), author))
        batch.clear()
        while len(in_flight) > 1:
            collect(in_flight.popleft().result())

    def collect(result: BatchResult) -> None:
        summary.recorded += result.recorded
        summary.corrected += result.corrected
        summary.duplicates += result.duplicates
        summary.warnings.update(result.warnings)
        for line, p, findings in result.rejected:
            reject(line, findings, cells_of(p))
        bar.update(summary.rows - bar.n)

    def reject(line: int, findings: list[Finding], values: dict[str, Any]) -> None:
        summary.rejected += 1
        for f in findings:
            if f.is_error:
                summary.errors[f.code] += 1
        report.add(line, findings, values)

    bar = tqdm(
        total=total if total and total > 0 else None,
        unit="row",
        desc=path.name,
        disable=not progress,
        file=sys.stderr,
        mininterval=0.5,
    )
    try:
        row = first
        while row is not None:
            summary.rows += 1
            entry: Ready | Pending
            if type(row) is tuple:
                count: CountRow | None = row
                line, station, source, region, district = row[0], row[1], row[2], row[6], row[7]
                p: Protocol | None = None
            else:
                assert isinstance(row, ProtocolRow)
                p = row.protocol
                if p is None:
                    reject(row.line, row.findings, row.values)
                    row = next(rows_iter, None)
                    continue
                line, station, source = row.line, p.station, p.source
                region, district = row.region, row.district
                count = None
            key = (station, source)
            first_line = seen.get(key)
            if first_line is not None:
                if p is None:
                    assert count is not None
                    p = count_row_protocol(count, party_ids)
                reject(
                    line,
                    [
                        Finding(
                            "P202",
                            "error",
                            f"station {station!r} (source {source}) is already on line "
                            f"{first_line} of this file; keep one row, or import the correction "
                            "separately with a reason",
                            "station",
                            {"station": station, "first_line": first_line},
                        )
                    ],
                    cells_of(p),
                )
            else:
                seen[key] = line
                wrong = (
                    check_units(station, region, district, units)
                    if region is not None or district is not None
                    else None
                )
                if wrong:
                    if p is None:
                        assert count is not None
                        p = count_row_protocol(count, party_ids)
                    entry = Pending(line, p, wrong)
                elif count is not None:
                    entry = prepare(table, count)
                else:
                    assert p is not None
                    entry = Pending(line, p)
                batch.append(entry)
                if len(batch) >= batch_size:
                    flush()
            row = next(rows_iter, None)
        if batch:
            flush()
        while in_flight:
            collect(in_flight.popleft().result())
        bar.update(summary.rows - bar.n)
    finally:
        writer.shutdown(wait=True, cancel_futures=True)
        bar.close()
        report.close()
    stale = report.path
    if report.fh is not None:
        summary.report = str(report.path)
    elif stale.exists() and report_path is None:
        stale.unlink()  # an old report of this file would now be misleading
    return summary
