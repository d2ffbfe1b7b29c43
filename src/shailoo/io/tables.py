"""Results as tables for analysts: one row per station (or unit), as CSV or Parquet.

Columns: ``election, level, unit, region, district, status, source, registered,
ballots_received, ballots_issued, ballots_cast, invalid, against_all``, one column per party
(its id, in ballot order), then ``annulled_by`` and ``rerun``. Station rows hold the counted
protocol (empty counts for a station that is missing or annulled); ``--as-reported`` rows hold
the protocols as reported, annulled ones included.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from shailoo.tally.projection import Tally

FIXED = (
    "election",
    "level",
    "unit",
    "region",
    "district",
    "status",
    "source",
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)
TRAILING = ("annulled_by", "rerun")


def columns(tally: Tally) -> list[str]:
    """The column names of the table, parties in ballot order."""
    clash = set(tally.party_ids) & (set(FIXED) | set(TRAILING))
    if clash:  # a party id equal to a column name would make the table ambiguous
        raise ValueError(f"party id(s) {sorted(clash)} clash with table columns")
    return [*FIXED, *tally.party_ids, *TRAILING]


def rows(
    tally: Tally, level: str = "station", *, as_reported: bool = False
) -> Iterator[dict[str, Any]]:
    """The table's rows as dicts (None for an empty cell)."""
    e = tally.election
    if level == "station":
        for st in e.stations:
            status = tally.station_status(st.id)
            proto = status.protocol if as_reported else status.counted
            row: dict[str, Any] = {
                "election": e.id,
                "level": "station",
                "unit": st.id,
                "region": st.region,
                "district": st.district,
                "status": status.status,
                "source": proto.source if proto else None,
            }
            counts = proto.counts() if proto else {}
            for c in FIXED[7:]:
                row[c] = counts.get(c)
            for p in tally.party_ids:
                row[p] = proto.votes.get(p, 0) if proto else None
            row["annulled_by"] = ",".join(status.annulled_by) or None
            row["rerun"] = status.rerun
            yield row
        return
    for u in tally.units(level, as_reported=as_reported):
        region = u.id if level == "region" else tally.region_of_district.get(u.id)
        row = {
            "election": e.id,
            "level": u.level,
            "unit": u.id,
            "region": region if level in ("region", "district") else None,
            "district": u.id if level == "district" else None,
            "status": "annulled" if u.annulled else f"{u.stations_reported}/{u.stations_total}",
            "source": None,
            "registered": u.registered,
            "ballots_received": u.ballots_received,
            "ballots_issued": u.ballots_issued,
            "ballots_cast": u.ballots_cast,
            "invalid": u.invalid,
            "against_all": u.against_all,
            **dict(u.votes),
            "annulled_by": ",".join(u.annulled_by) or None,
            "rerun": None,
        }
        yield row


def write_csv(
    tally: Tally, path: str | Path, level: str = "station", *, as_reported: bool = False
) -> int:
    """Write the table as UTF-8 CSV; return the number of rows."""
    n = 0
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns(tally))
        w.writeheader()
        for row in rows(tally, level, as_reported=as_reported):
            w.writerow({k: "" if v is None else v for k, v in row.items()})
            n += 1
    return n


def write_parquet(
    tally: Tally, path: str | Path, level: str = "station", *, as_reported: bool = False
) -> int:
    """Write the table as Parquet (counts as int64, text as string); return the row count."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = columns(tally)
    data = list(rows(tally, level, as_reported=as_reported))
    text = {"election", "level", "unit", "region", "district", "status", "source", *TRAILING}
    fields = [pa.field(c, pa.string() if c in text else pa.int64()) for c in names]
    table = pa.table(
        {
            c: pa.array([r[c] for r in data], type=f.type)
            for c, f in zip(names, fields, strict=True)
        },
        schema=pa.schema(fields, metadata={"election": tally.election.id}),
    )
    pq.write_table(table, path)
    return len(data)
