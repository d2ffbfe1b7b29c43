"""Georgia, parliamentary election of 26 October 2024, proportional part.

github.com/foige/georgian-elections-data ``cec_scrape_proportional.csv``: one row per precinct
with ``total_registered_voters``, participation by the CEC (``c_participated``) and by OCR of the
protocol photo, invalid ballots (``c_invalid_ballots``), ``CAND*`` vote columns and
``division_type`` (electronic or hand-counted). Ballots in the box = the candidates' votes +
invalid; turnout = participation (CEC) / registered. Cancelled precincts are dropped.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable, read_text


def read_georgia(path: str | Path) -> StationTable:
    """Read ``georgia-2024/cec_scrape_proportional.csv.gz`` (or a directory holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "cec_scrape_proportional.csv.gz"
    if not path.exists():
        raise InputError("file not found", file=str(path), rule="not-found")
    reader = csv.reader(io.StringIO(read_text(path)))
    header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    pos = {h: i for i, h in enumerate(header)}
    for need in ("division_id", "total_registered_voters", "c_participated", "c_invalid_ballots"):
        if need not in pos:
            raise InputError("column missing", file=str(path), line=1, column=need, rule="missing")
    parties = [h for h in header if h.startswith("CAND")]
    rows = [r for r in reader if r and r[pos["cancelled"]].strip() != "True"]
    kind = [r[pos["division_type"]] for r in rows]
    # cast = valid candidate votes + invalid ballots; written as an extra column
    cast_col, region_col = "__cast__", "__region__"

    def num(text: str) -> int:
        return int(float(text)) if text.strip() else 0

    extra = [
        [
            str(sum(num(r[pos[p]]) for p in parties) + num(r[pos["c_invalid_ballots"]])),
            r[pos["district_alt_id"]] or r[pos["district_id"]],
        ]
        for r in rows
    ]
    table = StationTable.from_rows(
        [*header, cast_col, region_col],
        ([*r, *e] for r, e in zip(rows, extra, strict=True)),
        file=str(path),
        mapping={
            "station": "division_id",
            "region": region_col,
            "district": region_col,
            "registered": "total_registered_voters",
            "ballots_issued": "c_participated",
            "ballots_cast": cast_col,
            "invalid": "c_invalid_ballots",
        },
        parties=parties,
    )
    table.meta["division_type"] = kind
    table.source = f"georgia:{path.name}"
    return table
