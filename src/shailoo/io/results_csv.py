"""RESULTS.csv: vote totals per region (or one national row) for ``shailoo seats``.

Format (see docs/law-files.md): a header line, then one row per region or a single row for the
nation. Columns ``region`` (or ``district``; optional with a single row), ``registered``,
``ballots_cast``, ``invalid``, ``against_all`` (each optional unless the law's thresholds need
it), and one column per party -- every other column, in ballot order. Values are whole numbers
of zero or more. Every error names the file, the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.domain.model import VoteTotals

BASE_COLUMNS = ("registered", "ballots_cast", "invalid", "against_all")
UNIT_COLUMNS = ("region", "district")


@dataclass(frozen=True)
class ResultsFile:
    """What a RESULTS.csv holds: the national totals and, with a ``region`` or ``district``
    column, the totals of each unit (``unit_column`` says which)."""

    path: str
    national: VoteTotals
    units: dict[str, VoteTotals]
    unit_column: str | None
    columns: tuple[str, ...]

    @property
    def parties(self) -> list[str]:
        """Party columns in ballot order."""
        return list(self.national.votes)


def _number(text: str, *, path: str, line: int, column: str) -> int:
    cell = text.strip().replace("_", "")
    if cell == "":
        raise InputError(
            "empty cell: a whole number is needed",
            file=path,
            line=line,
            column=column,
            rule="empty",
        )
    try:
        value = int(cell)
    except ValueError:
        raise InputError(
            "not a whole number",
            file=path,
            line=line,
            column=column,
            rule="not-an-integer",
            values={"value": text},
        ) from None
    if value < 0:
        raise InputError(
            "votes and counts cannot be negative",
            file=path,
            line=line,
            column=column,
            rule="negative",
            values={"value": value},
        )
    return value


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def read_results(
    path: str | Path, *, needs: set[str] | frozenset[str] = frozenset()
) -> ResultsFile:
    """Read a RESULTS.csv. ``needs`` are the base columns the law requires (from
    :meth:`Law.needed_bases`); a missing one is an :class:`InputError` on the header line."""
    name = str(path)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", file=name, rule="unreadable"
        ) from None
    except UnicodeDecodeError:
        raise InputError("the file is not UTF-8 text", file=name, rule="encoding") from None
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows or not any(c.strip() for c in rows[0]):
        raise InputError(
            "the file is empty: a header line is needed", file=name, line=1, rule="empty-file"
        )
    header = [c.strip() for c in rows[0]]
    seen: set[str] = set()
    for i, col in enumerate(header):
        if col == "":
            raise InputError(
                f"column {i + 1} has no name",
                file=name,
                line=1,
                column=f"#{i + 1}",
                rule="empty-header",
            )
        if col in seen:
            rule = (
                "duplicate-party" if col not in BASE_COLUMNS + UNIT_COLUMNS else "duplicate-column"
            )
            raise InputError(
                "the column appears twice",
                file=name,
                line=1,
                column=col,
                rule=rule,
            )
        seen.add(col)
    units_in = [c for c in UNIT_COLUMNS if c in header]
    if len(units_in) > 1:
        raise InputError(
            "give either a region or a district column, not both",
            file=name,
            line=1,
            column=units_in[1],
            rule="two-unit-columns",
        )
    unit_column = units_in[0] if units_in else None
    for base in sorted(needs):
        if base not in header:
            raise InputError(
                f"the law's threshold needs the column {base!r}",
                file=name,
                line=1,
                column=base,
                rule="missing-base-column",
            )
    parties = [c for c in header if c not in BASE_COLUMNS and c not in UNIT_COLUMNS]
    if not parties:
        raise InputError("no party column", file=name, line=1, rule="no-parties")
    data = rows[1:]
    if not data:
        raise InputError("no data row after the header", file=name, line=2, rule="no-rows")
    if unit_column is None and len(data) > 1:
        raise InputError(
            "several rows need a 'region' column naming each region",
            file=name,
            line=3,
            rule="no-region-column",
        )
    units: dict[str, VoteTotals] = {}
    totals: list[VoteTotals] = []
    for n, row in enumerate(data, start=2):
        if not any(c.strip() for c in row):
            raise InputError("empty line", file=name, line=n, rule="empty-line")
        if len(row) != len(header):
            raise InputError(
                f"{len(row)} cells but the header has {len(header)}",
                file=name,
                line=n,
                rule="cell-count",
            )
        cells = dict(zip(header, row, strict=True))
        counts = {
            col: _number(cells[col], path=name, line=n, column=col)
            for col in header
            if col not in UNIT_COLUMNS
        }
        votes = {p: counts[p] for p in parties}
        t = VoteTotals(
            votes=votes,
            registered=counts.get("registered"),
            ballots_cast=counts.get("ballots_cast"),
            invalid=counts.get("invalid"),
            against_all=counts.get("against_all"),
        )
        totals.append(t)
        if unit_column is not None:
            unit = cells[unit_column].strip()
            if not unit:
                raise InputError(
                    f"the {unit_column} is empty",
                    file=name,
                    line=n,
                    column=unit_column,
                    rule="empty-unit",
                )
            if unit in units:
                raise InputError(
                    f"the {unit_column} {unit!r} appears twice",
                    file=name,
                    line=n,
                    column=unit_column,
                    rule="duplicate-unit",
                )
            units[unit] = t
    national = VoteTotals(
        votes={p: sum(t.votes[p] for t in totals) for p in parties},
        registered=_sum([t.registered for t in totals]),
        ballots_cast=_sum([t.ballots_cast for t in totals]),
        invalid=_sum([t.invalid for t in totals]),
        against_all=_sum([t.against_all for t in totals]),
    )
    return ResultsFile(name, national, units, unit_column, tuple(header))
