"""Read any polling-station CSV through a column mapping file (``--map MAP.toml``).

The mapping says which column holds each protocol line, so an analyst can run the forensic tests
on a source Shailoo has no reader for::

    delimiter = ","                       # optional; guessed from the header otherwise
    parties = ["YOWERI MUSEVENI KAGUTA", "BESIGYE KIFEFE KIZZA"]   # optional: default every other column
    ignore = ["DISTRICT CODE", "PS NAME"]  # columns that are neither lines nor parties

    [columns]
    station = "PS CODE"
    region = "DISTRICT NAME"
    district = "SCOUNTY NAME"
    registered = "REGISTERED VOTERS"
    ballots_issued = ["issued early", "issued on the day"]   # a list is summed
    ballots_cast = ["VALID", "INVALID"]
    invalid = "INVALID"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable

_KEYS = {"station", "region", "district", "registered", "ballots_issued", "ballots_cast",
         "invalid", "against_all"}  # fmt: skip


def load_map(path: str | Path) -> dict[str, Any]:
    """Parse and check a mapping file; InputError names the bad key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("mapping file not found", file=str(path), rule="not-found") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", file=str(path), rule="toml") from None
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or "registered" not in columns:
        raise InputError(
            "[columns] must name at least the registered column",
            file=str(path),
            column="columns.registered",
            rule="missing",
        )
    unknown = set(columns) - _KEYS
    if unknown:
        raise InputError(
            f"unknown key in [columns]; known: {', '.join(sorted(_KEYS))}",
            file=str(path),
            column=f"columns.{sorted(unknown)[0]}",
            rule="unknown-key",
        )
    return data


def read_mapped(results: str | Path, map_path: str | Path) -> StationTable:
    """Read ``results`` with the mapping in ``map_path``."""
    data = load_map(map_path)
    columns: dict[str, Any] = dict(data["columns"])
    sums: dict[str, list[str]] = {}
    mapping: dict[str, str] = {}
    for key, value in columns.items():
        if isinstance(value, list):
            sums[key] = [str(v) for v in value]
        else:
            mapping[key] = str(value)
    ignore = [str(c) for c in data.get("ignore", [])]
    parties = data.get("parties")
    if parties is None:
        # every column that is not mapped, summed or ignored is a party
        from shailoo.forensics.table import read_text

        text = read_text(Path(results))
        first = text.split("\n", 1)[0]
        delim = data.get("delimiter") or (";" if first.count(";") > first.count(",") else ",")
        import csv

        header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([first], delimiter=delim))]
        taken = set(mapping.values()) | {c for cs in sums.values() for c in cs} | set(ignore)
        parties = [h for h in header if h not in taken]
    return StationTable.from_csv(
        results,
        mapping=mapping,
        parties=[str(p) for p in parties],
        delimiter=data.get("delimiter"),
        issued_from=sums.get("ballots_issued"),
        cast_from=sums.get("ballots_cast"),
    )
