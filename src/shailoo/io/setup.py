"""Election set-up files: ``parties.csv``, ``stations.csv`` and an optional manifest.

``parties.csv`` has ``id,name``; the row order is the ballot order. ``stations.csv`` has
``station,region,district,registered``; any further columns (address, latitude, …) are kept as
text in ``Station.extra``. A manifest (``election.toml``) names the same things in one file::

    id = "kg-2020"            # optional; otherwise made from the name or the law
    name = "Jogorku Kenesh 2020"
    date = "2020-10-04"
    law = "kg-2020"           # a preset name or a law file path (relative to the manifest)
    parties = "parties.csv"
    stations = "stations.csv"
    double_entry = false
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.domain.model import Party, Station
from shailoo.io.canonical import check_utf8

PARTY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
#: column names a party id may not take, since protocol files use them
RESERVED = frozenset(
    {
        "station",
        "registered",
        "ballots_received",
        "ballots_issued",
        "ballots_cast",
        "invalid",
        "against_all",
        "source",
        "entered_by",
        "reason",
        "votes",
    }
)


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    check_utf8(path)
    file = str(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        names = [n.strip() for n in (reader.fieldnames or [])]
        reader.fieldnames = names
        missing = [c for c in required if c not in names]
        if missing:
            raise InputError(
                f"required column(s) missing: {', '.join(missing)} (have: {', '.join(names)})",
                file=file,
                line=1,
                column=missing[0],
                rule="missing-column",
            )
        for row in reader:
            if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
                continue
            yield (
                reader.line_num,
                {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)},
            )


def read_parties(path: str | Path) -> tuple[Party, ...]:
    """Parties in ballot order from ``id,name`` CSV."""
    path = Path(path)
    parties: list[Party] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, ("id", "name")):
        pid = row["id"]
        if not PARTY_ID.match(pid) or pid in RESERVED:
            raise InputError(
                "a party id must be short letters/digits/-_. and not a protocol column name",
                file=str(path),
                line=line,
                column="id",
                rule="party-id",
                values={"id": pid},
            )
        if pid in seen:
            raise InputError(
                f"party id repeated (first at line {seen[pid]})",
                file=str(path),
                line=line,
                column="id",
                rule="duplicate",
                values={"id": pid},
            )
        if not row["name"]:
            raise InputError(
                "the party has no name", file=str(path), line=line, column="name", rule="empty"
            )
        seen[pid] = line
        parties.append(Party(pid, row["name"]))
    if not parties:
        raise InputError("no parties in the file", file=str(path), rule="empty-file")
    return tuple(parties)


def read_stations(path: str | Path) -> tuple[Station, ...]:
    """Stations from ``station,region,district,registered[,…]`` CSV; extra columns kept."""
    path = Path(path)
    base = ("station", "region", "district", "registered")
    stations: list[Station] = []
    seen: dict[str, int] = {}
    for line, row in _rows(path, base):
        sid = row["station"]
        if not sid:
            raise InputError(
                "the station id is empty", file=str(path), line=line, column="station", rule="empty"
            )
        if sid in seen:
            raise InputError(
                f"station repeated (first at line {seen[sid]})",
                file=str(path),
                line=line,
                column="station",
                rule="duplicate",
                values={"station": sid},
            )
        reg = row["registered"]
        if not (reg.isascii() and reg.isdigit()):
            raise InputError(
                "registered must be a whole number ≥ 0",
                file=str(path),
                line=line,
                column="registered",
                rule="P001",
                values={"registered": reg},
            )
        for col in ("region", "district"):
            if not row[col]:
                raise InputError(
                    f"the {col} is empty", file=str(path), line=line, column=col, rule="empty"
                )
        seen[sid] = line
        extra = {k: v for k, v in row.items() if k not in base}
        stations.append(Station(sid, row["region"], row["district"], int(reg), extra))
    if not stations:
        raise InputError("no stations in the file", file=str(path), rule="empty-file")
    return tuple(stations)


@dataclass(frozen=True)
class Manifest:
    """What an ``election.toml`` names (paths resolved against the manifest's folder)."""

    law: str
    parties: Path
    stations: Path
    id: str | None = None
    name: str | None = None
    date: str | None = None
    double_entry: bool = False


def read_manifest(path: str | Path) -> Manifest:
    """Read an election manifest (TOML)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", file=str(path), rule="unreadable") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path), rule="toml") from exc
    for key in ("law", "parties", "stations"):
        if not isinstance(data.get(key), str):
            raise InputError(
                f'the manifest needs {key} = "..."', file=str(path), column=key, rule="missing-key"
            )
    base = path.parent
    law = data["law"]
    if law.endswith(".toml") or "/" in law:
        law = str(base / law)
    date = data.get("date")
    return Manifest(
        law=law,
        parties=base / data["parties"],
        stations=base / data["stations"],
        id=data.get("id"),
        name=data.get("name"),
        date=None if date is None else str(date),
        double_entry=bool(data.get("double_entry", False)),
    )
