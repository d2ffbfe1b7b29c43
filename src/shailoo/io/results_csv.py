"""RESULTS.csv: vote totals per region or district (or one national row) for ``shailoo seats``.

Format (see docs/law-files.md, *Results files*): a header line, then one row per region or
district, or a single row for the nation. A unit column (``region``, ``district`` or a synonym
such as ``county``, ``constituency``, ``name``, ``unit``, or an unnamed first column) names each
row; ``registered``, ``ballots_cast``, ``invalid`` and ``against_all`` (or a synonym) are the
base lines the law's thresholds may need; ``valid``, ``total`` and ``turnout`` columns are read
by people, not by the law, and are ignored with a note; every other column is a party, in
ballot order.

Files written by strangers are read as they come: UTF-8 with or without a byte-order mark (or
UTF-16 with one, as spreadsheets save "Unicode text"), ``,`` ``;`` or tab between cells (taken
from the header line), spaces around cells, blank lines, and thousands separators inside
numbers (``1,234`` in quotes, ``1 234``, ``1.234``, ``1'234``, ``1_234``: groups of exactly
three digits, one separator per number, so ``1,5`` is refused rather than read as 15). A
``total`` row is checked against the sum of the other rows and ignored with a note when it
agrees; when it disagrees the file is refused at that line and column. Every error names the
file, the line (the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.domain.model import VoteTotals

BASE_COLUMNS = ("registered", "ballots_cast", "invalid", "against_all")
UNIT_COLUMNS = ("region", "district")


def _names(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {alias: canon for canon, aliases in table.items() for alias in aliases}


#: header names (after :func:`normal_header`) of the base lines
BASE_ALIASES = _names(
    {
        "registered": ("registered", "registered_voters", "voters_registered", "electorate"),
        "ballots_cast": (
            "ballots_cast",
            "ballots",
            "votes_cast",
            "cast",
            "voters_who_took_part",
            "took_part",
        ),
        "invalid": ("invalid", "invalid_ballots", "invalid_votes", "spoiled", "spoilt", "rejected"),
        "against_all": ("against_all", "against_all_votes", "none_of_the_above"),
    }
)

#: header names of the unit column and the kind of unit each one names
UNIT_ALIASES = _names(
    {
        "region": ("region", "oblast", "province", "state"),
        "district": ("district", "constituency", "electoral_district", "county", "circonscription"),
        "unit": ("unit", "name", "area", "place"),
    }
)

#: columns people read beside the votes; never parties, never used by the law
IGNORED_COLUMNS = frozenset(
    {"valid", "valid_votes", "valid_ballots", "total", "total_votes", "turnout", "turnout_pct"}
)

#: unit names that mark a row of totals rather than a region or district
TOTAL_ROWS = frozenset(
    {
        "total",
        "totals",
        "sum",
        "grand_total",
        "all",
        "nation",
        "national",
        "overall",
        "итого",
        "всего",
        "жалпы",
        "бардыгы",
    }
)

# a whole number: plain digits, or groups of three with one kind of separator
_PLAIN = re.compile(r"\d+")
_GROUPED = re.compile(r"\d{1,3}([,. '_\u00a0\u202f\u2009])\d{3}(?:\1\d{3})*")
_DELIMITERS = (",", ";", "\t")


def normal_header(text: str) -> str:
    """A header compared loosely: trimmed, lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


@dataclass(frozen=True)
class ResultsFile:
    """What a RESULTS.csv holds: the national totals and, with a unit column, the totals of each
    unit. ``unit_column`` is the header as written, ``unit_kind`` ``region``, ``district`` or
    ``unit`` (a name column that may be either); ``notes`` say how the file was read."""

    path: str
    national: VoteTotals
    units: dict[str, VoteTotals]
    unit_column: str | None
    columns: tuple[str, ...]
    unit_kind: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    unit_lines: dict[str, int] = field(default_factory=dict)

    @property
    def parties(self) -> list[str]:
        """Party columns in ballot order."""
        return list(self.national.votes)


def parse_count(text: str, *, path: str, line: int, column: str) -> int:
    """Read one count: a whole number of zero or more, thousands separators allowed."""
    cell = text.strip()
    if cell == "":
        raise InputError(
            "empty cell: a whole number is needed",
            file=path,
            line=line,
            column=column,
            rule="empty",
        )
    negative = cell.startswith("-")
    digits = cell[1:].strip() if negative or cell.startswith("+") else cell
    if _PLAIN.fullmatch(digits):
        value = int(digits)
    elif _GROUPED.fullmatch(digits):
        value = int(re.sub(r"\D", "", digits))
    else:
        raise InputError(
            "not a whole number (thousands may be grouped by threes: 1,234 or 1 234)",
            file=path,
            line=line,
            column=column,
            rule="not-an-integer",
            values={"value": text},
        )
    if negative and value > 0:
        raise InputError(
            "votes and counts cannot be negative",
            file=path,
            line=line,
            column=column,
            rule="negative",
            values={"value": -value},
        )
    return value


def _sum(values: list[int | None]) -> int | None:
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            "the file is not UTF-8 text (save it as UTF-8 CSV)",
            file=name,
            line=line,
            rule="encoding",
        ) from None


def sniff_delimiter(header_line: str) -> str:
    """The cell separator of a file: whichever of ``,`` ``;`` and tab splits the header line
    (outside quotes) into the most cells; ``,`` when none does."""
    outside = re.sub(r'"[^"]*"', "", header_line)
    counts = {d: outside.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _rows(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Rows with the line each starts on; blank rows dropped (their lines still count)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, skipinitialspace=True)
    out: list[tuple[int, list[str]]] = []
    last = 0
    for row in reader:
        start = last + 1
        last = reader.line_num
        if any(c.strip() for c in row):
            out.append((start, row))
    return out


def read_results(
    path: str | Path, *, needs: set[str] | frozenset[str] = frozenset()
) -> ResultsFile:
    """Read a RESULTS.csv. ``needs`` are the base columns the law requires (from
    :meth:`Law.needed_bases`); a missing one is an :class:`InputError` on the header line."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", file=name, rule="unreadable"
        ) from None
    text = _decode(raw, name)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = sniff_delimiter(first)
    notes: list[str] = []
    if delimiter != ",":
        notes.append(f"{name}: cells separated by {'tab' if delimiter == chr(9) else delimiter!r}")
    rows = _rows(text, delimiter)
    if not rows:
        raise InputError(
            "the file is empty: a header line is needed", file=name, line=1, rule="empty-file"
        )
    header_line, header_cells = rows[0]
    header = [c.strip() for c in header_cells]
    while (
        header
        and header[-1] == ""
        and all(len(r) < len(header) or not r[len(header) - 1].strip() for _, r in rows[1:])
    ):
        header.pop()  # a trailing separator on every line: an empty last column, not a party
    roles: dict[int, str] = {}  # column index -> canonical role (unit / base / ignored)
    unit_kind: str | None = None
    unit_index: int | None = None
    seen: dict[str, str] = {}
    for i, col in enumerate(header):
        norm = normal_header(col)
        if col == "" and i == 0:
            role, kind = "unit", "unit"
            notes.append(f"{name}: the unnamed first column is read as the unit names")
        elif col == "":
            raise InputError(
                f"column {i + 1} has no name",
                file=name,
                line=header_line,
                column=f"#{i + 1}",
                rule="empty-header",
            )
        elif norm in UNIT_ALIASES:
            role, kind = "unit", UNIT_ALIASES[norm]
        elif norm in BASE_ALIASES:
            role, kind = BASE_ALIASES[norm], ""
            if col != role:
                notes.append(f"{name}: column {col!r} read as {role!r}")
        elif norm in IGNORED_COLUMNS:
            role, kind = "ignored", ""
            notes.append(f"{name}: column {col!r} is not a party; it is not used by the law")
        else:
            role, kind = "party", ""
        key = role if role not in ("party", "ignored") else f"{role}:{col}"
        if key in seen:
            rule = "duplicate-party" if role == "party" else "duplicate-column"
            what = (
                "the column appears twice"
                if role == "party"
                else (f"{seen[key]!r} and {col!r} both give {role!r}")
            )
            raise InputError(what, file=name, line=header_line, column=col, rule=rule)
        seen[key] = col
        roles[i] = role
        if role == "unit":
            unit_kind, unit_index = kind, i
    for base in sorted(needs):
        if base not in roles.values():
            raise InputError(
                f"the law's threshold needs the column {base!r}",
                file=name,
                line=header_line,
                column=base,
                rule="missing-base-column",
            )
    party_idx = [i for i, r in roles.items() if r == "party"]
    if not party_idx:
        raise InputError("no party column", file=name, line=header_line, rule="no-parties")
    parties = [header[i] for i in party_idx]
    data = rows[1:]
    if not data:
        raise InputError(
            "no data row after the header", file=name, line=header_line + 1, rule="no-rows"
        )
    if unit_index is None and len(data) > 1:
        raise InputError(
            "several rows need a 'region' or 'district' column naming each one",
            file=name,
            line=data[1][0],
            rule="no-region-column",
        )
    units: dict[str, VoteTotals] = {}
    unit_lines: dict[str, int] = {}
    totals: list[VoteTotals] = []
    total_rows: list[tuple[int, str, dict[int, int]]] = []
    for n, row in data:
        cells = [c.strip() for c in row]
        while len(cells) > len(header) and cells[-1] == "":
            cells.pop()  # a trailing separator
        if len(cells) != len(header):
            where = header[len(cells)] if len(cells) < len(header) else f"#{len(cells)}"
            hint = ""
            if len(cells) > len(header) and delimiter == ",":
                # 1,234 unquoted in a comma file splits one number into two cells
                hint = ' (a number written with a thousands comma must be quoted: "1,234")'
            raise InputError(
                f"{len(cells)} cells but the header has {len(header)}{hint}",
                file=name,
                line=n,
                column=where or f"#{len(cells) + 1}",
                rule="cell-count",
            )
        unit = cells[unit_index] if unit_index is not None else None
        counts = {
            i: parse_count(cells[i], path=name, line=n, column=header[i] or f"#{i + 1}")
            for i, r in roles.items()
            if r not in ("unit", "ignored")
        }
        if unit is not None and normal_header(unit) in TOTAL_ROWS:
            total_rows.append((n, unit, counts))
            continue
        by_role = {roles[i]: v for i, v in counts.items() if roles[i] != "party"}
        t = VoteTotals(
            votes={header[i]: counts[i] for i in party_idx},
            registered=by_role.get("registered"),
            ballots_cast=by_role.get("ballots_cast"),
            invalid=by_role.get("invalid"),
            against_all=by_role.get("against_all"),
        )
        _check_row_adds_up(t, name=name, line=n)
        totals.append(t)
        if unit_index is not None:
            assert unit is not None
            label = header[unit_index] or "unit"
            if not unit:
                raise InputError(
                    f"the {label} is empty",
                    file=name,
                    line=n,
                    column=label,
                    rule="empty-unit",
                )
            if unit in units:
                raise InputError(
                    f"the {label} {unit!r} appears twice",
                    file=name,
                    line=n,
                    column=label,
                    rule="duplicate-unit",
                )
            units[unit] = t
            unit_lines[unit] = n
    if not totals:
        raise InputError(
            "the file has a total row but no region or district rows",
            file=name,
            line=total_rows[0][0],
            rule="only-total",
        )
    for n, unit, counts in total_rows:
        for i, value in counts.items():
            summed = sum(cells_value(t, header[i], roles[i]) for t in totals)
            if value != summed:
                raise InputError(
                    f"the {unit!r} row does not equal the sum of the other rows",
                    file=name,
                    line=n,
                    column=header[i],
                    rule="total-mismatch",
                    values={"total": value, "sum": summed},
                )
        notes.append(
            f"{name}:{n}: the {unit!r} row equals the sum of the other rows and is not counted"
        )
    national = VoteTotals(
        votes={p: sum(t.votes[p] for t in totals) for p in parties},
        registered=_sum([t.registered for t in totals]),
        ballots_cast=_sum([t.ballots_cast for t in totals]),
        invalid=_sum([t.invalid for t in totals]),
        against_all=_sum([t.against_all for t in totals]),
    )
    for p in parties:
        if national.votes[p] == 0:
            notes.append(f"{name}: the party column {p!r} has no votes in any row")
    columns = tuple(roles[i] if roles[i] in BASE_COLUMNS else header[i] for i in roles)
    unit_column = header[unit_index] if unit_index is not None else None
    if unit_column == "":
        unit_column = "unit"
    return ResultsFile(
        name, national, units, unit_column, columns, unit_kind, tuple(notes), unit_lines
    )


def _check_row_adds_up(t: VoteTotals, *, name: str, line: int) -> None:
    """Refuse a row whose counted ballots exceed the ballots cast.

    Ballots cast are every ballot in the boxes: party votes, against all and invalid ones are
    parts of it, so together they cannot be more (they may be fewer when a source leaves some
    lists out). Shares above 100 % would otherwise pass silently into the thresholds.
    """
    if t.ballots_cast is None:
        return
    parts = t.party_votes + (t.against_all or 0) + (t.invalid or 0)
    if parts > t.ballots_cast:
        raise InputError(
            "party votes, against all and invalid ballots add up to more than the ballots cast",
            file=name,
            line=line,
            column="ballots_cast",
            rule="exceeds-ballots-cast",
            values={
                "ballots_cast": t.ballots_cast,
                "party_votes": t.party_votes,
                "against_all": t.against_all or 0,
                "invalid": t.invalid or 0,
            },
        )


def cells_value(totals: VoteTotals, column: str, role: str) -> int:
    """The count of one column (a party or a base line) in one unit's totals."""
    if role == "party":
        return totals.votes[column]
    value = getattr(totals, role)
    return int(value) if value is not None else 0
