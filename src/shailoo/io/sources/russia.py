"""Russian CEC precinct protocols as published in github.com/dkobak/elections ``data/``.

One row per precinct commission (``uik``) with ``region`` and ``tik`` (territorial commission),
the protocol lines by their Russian names, one column per party or candidate, then ``url``.
Following Kobak, Shpilkin and Pshenichnikov (2016): ballots issued = issued early + in the station
+ outside it; ballots in the boxes = portable + stationary boxes (the 2020 referendum has one
"in the boxes" line).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable, read_text

_LABELS = {"name", "level", "region", "oik", "tik", "uik", "url"}


def _classify(header: list[str]) -> dict[str, list[str]]:
    """Find the protocol lines in a Russian header by the words of their names."""
    out: dict[str, list[str]] = {"registered": [], "issued": [], "cast": [], "invalid": []}
    for h in header:
        low = h.lower()
        if not low.startswith("число"):
            continue
        if ("число избирателей" in low or "число участников" in low) and "в список" in low:
            out["registered"].append(h)
        elif "бюллетен" in low and "выданн" in low and "удостоверен" not in low:
            out["issued"].append(h)
        elif "бюллетен" in low and "ящик" in low:
            out["cast"].append(h)
        elif "недействительн" in low:
            out["invalid"].append(h)
    return out


def read_russia(path: str | Path) -> StationTable:
    """Read one Russian election file (``2011.csv.zip`` and the like)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path), rule="not-found")
    reader = csv.reader(io.StringIO(read_text(path)))
    header = [h.strip() for h in next(reader)]
    kinds = _classify(header)
    for need in ("registered", "issued", "cast"):
        if not kinds[need]:
            raise InputError(
                f"no {need} column found in a Russian protocol header",
                file=str(path),
                line=1,
                rule="missing",
            )
    parties = [h for h in header if h not in _LABELS and not h.lower().startswith("число")]
    rows = list(reader)
    pos = {h: i for i, h in enumerate(header)}
    uik = pos.get("uik")
    region, tik = pos.get("region"), pos.get("tik")
    # a precinct is identified by region, territorial commission and number
    ids = [
        "/".join(r[i] for i in (region, tik, uik) if i is not None) if uik is not None else str(n)
        for n, r in enumerate(rows, start=1)
    ]
    station_col = "__station__"
    table = StationTable.from_rows(
        [*header, station_col],
        ([*r, ids[n]] for n, r in enumerate(rows)),
        file=str(path),
        mapping={
            "station": station_col,
            "region": "region",
            "district": "tik",
            "registered": kinds["registered"][0],
            "invalid": kinds["invalid"][0] if kinds["invalid"] else "invalid",
        },
        parties=parties,
        issued_from=kinds["issued"],
        cast_from=kinds["cast"],
    )
    # district labels must be unique across regions
    if table.region is not None and table.district is not None:
        table.district = (table.region + " / ").astype(object) + table.district
    table.source = f"russia:{path.name}"
    return table
