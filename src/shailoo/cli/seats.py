"""``shailoo seats``: allocate seats by an electoral law, from a results file or the ledger."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping

from shailoo.cli import add_command
from shailoo.domain.errors import InputError, ShailooError
from shailoo.domain.model import VoteTotals
from shailoo.io.results_csv import ResultsFile, read_results
from shailoo.law import Allocation, Law, allocate, format_allocation, load_law

DESCRIPTION = """Allocate seats by an electoral law.

Two ways to use it:
  shailoo seats LAW RESULTS.csv [--json]      LAW is a preset (kg-2010, kg-2015, kg-2020,
                                              kg-2021) or a law file (docs/law-files.md)
  shailoo seats --db DB [--election ID] [--json]   the current results in the ledger

RESULTS.csv has a header line, then one row per region (column 'region') or district (column
'district'; also county, constituency, name, unit) or a single row for the nation; columns
registered, ballots_cast, invalid, against_all when the law's thresholds need them, and one
column per party (every other column, in ballot order). UTF-8 (BOM or not); ',' ';' or tab;
thousands separators such as 1,234 or 1 234 are read; a 'total' row is checked and ignored.
Without --json it prints votes, the share of each threshold base, passed or failed and why,
the quota or divisor steps, ties and seats. Exit 2 on bad input, naming file, line and column."""


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``seats`` sub-command."""
    p = add_command(
        sub,
        "seats",
        "Allocate seats by an electoral law.",
        example="shailoo seats kg-2020 results.csv",
        description=DESCRIPTION,
    )
    p.add_argument("law", nargs="?", help="preset name or law file (TOML)")
    p.add_argument("results", nargs="?", help="RESULTS.csv")
    p.add_argument("--db", help="ledger database (SQLite path or postgresql:// URL)")
    p.add_argument("--election", help="election id in the ledger (default: the only one)")
    p.add_argument("--json", action="store_true", help="print the allocation as JSON")
    p.set_defaults(handler=run)


def allocate_file(
    law_name: str, results: str
) -> tuple[Law, Allocation, VoteTotals, dict[str, VoteTotals]]:
    """Load the law and the results file and allocate; a library function the CLI prints."""

    law = load_law(law_name)
    # The regional threshold's base is needed only when the file has regions; read the header
    # first with the national needs, then check the regional columns if there are regions.
    data = read_results(results, needs=law.needed_bases(regional=False))
    if law.districts is not None:
        if data.unit_column is None:
            raise InputError(
                f"the law {law.name!r} has districts: give a 'district' column",
                file=results,
                line=1,
                column="district",
                rule="missing-district-column",
            )
        units = match_districts(law, data)
        alloc = allocate(law, data.national, districts=units)
        renamed = [f"{u!r} as {d!r}" for d, u in zip(units, data.units, strict=True) if d != u]
        if renamed:
            alloc.notes.append(f"district names read loosely: {', '.join(renamed)}")
        if data.unit_kind != "district":
            alloc.notes.append(
                f"the column {data.unit_column!r} is read as the districts of the law"
            )
        alloc.notes.extend(data.notes)
        return law, alloc, data.national, data.units
    if data.units and law.regional_threshold is not None:
        missing = law.needed_bases() - set(data.columns)
        if missing:
            col = sorted(missing)[0]
            raise InputError(
                f"the law's regional threshold needs the column {col!r} in every region",
                file=results,
                line=1,
                column=col,
                rule="missing-base-column",
            )
    alloc = allocate(law, data.national, regions=data.units or None)
    alloc.notes.extend(data.notes)
    return law, alloc, data.national, data.units


def match_districts(law: Law, data: ResultsFile) -> dict[str, VoteTotals]:
    """The file's units under the law's district names. Names match without regard to case or
    surrounding spaces (``oslo`` is ``Oslo``); a unit the law does not know, or a district the
    file lacks, is an :class:`InputError` naming the file, line and column."""
    assert law.districts is not None
    column = data.unit_column or "district"
    by_key = {d.strip().casefold(): d for d in law.districts}
    out: dict[str, VoteTotals] = {}
    for unit, totals in data.units.items():
        district = by_key.get(unit.strip().casefold())
        if district is None:
            raise InputError(
                f"the law {law.name!r} has no district {unit!r}; its districts are "
                f"{', '.join(law.districts)}",
                file=data.path,
                line=data.unit_lines.get(unit),
                column=column,
                rule="unknown-district",
            )
        out[district] = totals
    missing = [d for d in law.districts if d not in out]
    if missing:
        raise InputError(
            f"the file lacks the district(s) {', '.join(missing)} of the law {law.name!r}",
            file=data.path,
            line=1,
            column=column,
            rule="missing-district",
        )
    return out


def _print(
    law: Law,
    alloc: Allocation,
    national: VoteTotals,
    regions: Mapping[str, VoteTotals],
    as_json: bool,
    names: Mapping[str, str] | None = None,
) -> None:
    if as_json:
        out = alloc.to_json()
        out["law"] = law.name
        if names:
            # the keys stay party ids (stable for programs); the names are for people
            out["party_names"] = {p: names.get(p, p) for p in alloc.seats}
        json.dump(out, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_allocation(law, alloc, national, regions or None, names=names))


def allocate_db(
    db: str | None, election: str | None
) -> tuple[Law, Allocation, VoteTotals, dict[str, VoteTotals], dict[str, str]]:
    """Seats of an election in the ledger by its own law, with the party names by id."""
    # the ledger mode belongs to the tally layer; imported here so the file mode never
    # depends on it
    try:
        from shailoo.ledger import open_store
        from shailoo.tally.service import load_tally, seats_for_tally
    except ImportError:
        raise ShailooError(
            "the ledger mode (--db) needs shailoo.tally.service, which this installation "
            "lacks; use: shailoo seats LAW RESULTS.csv"
        ) from None
    with open_store(db, must_exist=True) as store:
        tally = load_tally(store, election)
    law, alloc, national, regions = seats_for_tally(tally)
    names = {p.id: p.name for p in tally.election.parties}
    return law, alloc, national, regions, names


def run(args: argparse.Namespace) -> int:
    """Handler of ``shailoo seats``."""
    if args.law is not None and args.results is None:
        raise InputError("give both LAW and RESULTS.csv, or --db", rule="usage")
    if args.law is not None and args.db is not None:
        raise InputError("give either LAW RESULTS.csv or --db, not both", rule="usage")
    names: dict[str, str] | None = None
    if args.law is not None:
        law, alloc, national, regions = allocate_file(args.law, args.results)
    else:
        law, alloc, national, regions, names = allocate_db(args.db, args.election)
    _print(law, alloc, national, regions, args.json, names)
    return 0
