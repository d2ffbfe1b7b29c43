"""Reading an observer's lower bounds from CSV.

Format: a header ``station`` then one column per protocol line the observer can bound (a party
id, or ``against_all``, ``invalid``, …); one row per station; each cell the smallest value the
official protocol can truthfully show on that line (e.g. the ballots for that party that voters
photographed); an empty cell means no bound. Example::

    station,ata-jurt,mekenchil
    1044,120,
    1045,98,40
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TextIO

from shailoo.domain.errors import InputError


def read_lower_bounds(path: str | Path) -> list[dict[str, Any]]:
    """Rows as ``{"station", "minimum": {line: int}}``; errors name file, line and column."""
    name = str(path)
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror}", file=name, rule="unreadable"
        ) from None
    with fh:
        try:
            return _read_rows(fh, name)
        except UnicodeDecodeError as exc:
            # Refuse UTF-16, CP1251 or binary files with the failing byte, not a traceback.
            raise InputError(
                f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02X}); save it as UTF-8",
                file=name,
                rule="encoding",
            ) from None


def _read_rows(fh: TextIO, name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    first_line: dict[str, int] = {}
    reader = csv.DictReader(fh)
    header = reader.fieldnames or []
    if not header:
        raise InputError("the file is empty", file=name, rule="empty-file")
    if "station" not in header:
        raise InputError("no 'station' column", file=name, line=1, rule="missing-column")
    lines = [c for c in header if c != "station"]
    if not lines:
        raise InputError(
            "no protocol line columns after 'station'",
            file=name,
            line=1,
            rule="missing-column",
        )
    for n, row in enumerate(reader, start=2):
        station = (row.get("station") or "").strip()
        if not station:
            raise InputError("empty station", file=name, line=n, column="station", rule="empty")
        if station in first_line:
            # Two rows for one station would record two bounds for it; which one holds?
            raise InputError(
                f"station repeated (first at line {first_line[station]})",
                file=name,
                line=n,
                column="station",
                rule="duplicate",
                values={"station": station},
            )
        first_line[station] = n
        minimum: dict[str, int] = {}
        for line in lines:
            text = (row.get(line) or "").strip()
            if not text:
                continue
            try:
                value = int(text)
            except ValueError:
                raise InputError(
                    "not an integer",
                    file=name,
                    line=n,
                    column=line,
                    rule="not-an-integer",
                    values={"value": text},
                ) from None
            if value < 0:
                raise InputError(
                    "a lower bound cannot be negative",
                    file=name,
                    line=n,
                    column=line,
                    rule="negative",
                    values={"value": value},
                )
            minimum[line] = value
        out.append({"station": station, "minimum": minimum, "line": n})
    return out
