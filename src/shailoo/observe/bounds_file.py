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
from typing import Any

from shailoo.domain.errors import InputError


def read_lower_bounds(path: str | Path) -> list[dict[str, Any]]:
    """Rows as ``{"station", "minimum": {line: int}}``; errors name file, line and column."""
    name = str(path)
    try:
        fh = open(path, newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=name) from None
    out: list[dict[str, Any]] = []
    with fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
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
