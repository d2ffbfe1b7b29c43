"""Uganda, presidential election of 18 February 2011 (github.com/bt-IRI/UEDP, converted).

One row per polling station: location codes and names, ``REGISTERED VOTERS``, one column per
candidate, ``VALID``, ``INVALID`` and other counts. The file has no ballots-issued line, so
turnout is ballots in the box (valid + invalid) over registered.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable, read_text

_CANDIDATES = (
    "ABED BWANIKA",
    "BESIGYE KIFEFE KIZZA",
    "BETI OLIVE KAMYA NAMISANGO",
    "BIDANDI SSALI JABERI",
    "MAO NORBERT",
    "OLARA OTUNNU",
    "SAMUEL LUBEGA MUKAAKU WALTER",
    "YOWERI MUSEVENI KAGUTA",
)


def read_uganda(path: str | Path) -> StationTable:
    """Read ``uganda-2011/results.csv.gz`` (or a directory holding it)."""
    path = Path(path)
    if path.is_dir():
        path = path / "results.csv.gz"
    if not path.exists():
        raise InputError("file not found", file=str(path), rule="not-found")
    reader = csv.reader(io.StringIO(read_text(path)))
    header = [h.strip() for h in next(reader)]
    rows = list(reader)
    pos = {h: i for i, h in enumerate(header)}
    for need in ("REGISTERED VOTERS", "VALID", "INVALID", *_CANDIDATES):
        if need not in pos:
            raise InputError("column missing", file=str(path), line=1, column=need, rule="missing")
    sid = pos.get("Original_Station_ID_2011")
    station_col, sub_col = "__station__", "__subcounty__"
    extra = [
        [
            r[sid] if sid is not None and r[sid] else str(n),
            f"{r[pos['DISTRICT NAME']]} / {r[pos['SCOUNTY NAME']]}",
        ]
        for n, r in enumerate(rows, start=1)
    ]
    table = StationTable.from_rows(
        [*header, station_col, sub_col],
        ([*r, *e] for r, e in zip(rows, extra, strict=True)),
        file=str(path),
        mapping={
            "station": station_col,
            "region": "DISTRICT NAME",
            "district": sub_col,
            "registered": "REGISTERED VOTERS",
            "invalid": "INVALID",
        },
        parties=list(_CANDIDATES),
        cast_from=["VALID", "INVALID"],
    )
    table.ballots_issued = table.ballots_cast.copy()
    table.meta["turnout_definition"] = "ballots in the box / registered (no issued line)"
    table.source = f"uganda:{path.name}"
    assert isinstance(table.ballots_cast, np.ndarray)
    return table
