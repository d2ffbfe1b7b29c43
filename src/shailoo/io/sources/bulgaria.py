"""Bulgaria, National Assembly election of 11 July 2021 (CIK open data, ``data/20210711/``).

``41_protocols.csv`` (``;``-separated) holds the ballot accounting per section; the votes per
party are in ``50_votes_paper.csv`` and ``50_votes_machine.csv`` (``section_id;party;votes``),
summed here. Party numbers 99 and above are aggregate lines, not parties, and are skipped.
Registered = voters on the list + voters added on the day; ballots issued = voters who voted;
ballots in the boxes = paper + machine ballots.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable, read_text

#: party numbers at or above this are aggregate lines of the open data, not ballot parties
_FIRST_AGGREGATE = 99


def _votes(
    path: Path, index: dict[str, int], parties: dict[str, int], acc: list[dict[int, int]]
) -> None:
    reader = csv.reader(io.StringIO(read_text(path)), delimiter=";")
    next(reader)
    for lineno, row in enumerate(reader, start=2):
        if len(row) < 3:
            continue
        sid, party, votes = row[0].strip(), row[1].strip(), row[2].strip()
        try:
            number, v = int(party), int(votes)
        except ValueError:
            raise InputError(
                "not a whole number", file=str(path), line=lineno, rule="not-an-integer"
            ) from None
        if number >= _FIRST_AGGREGATE or sid not in index:
            continue
        j = parties.setdefault(party, len(parties))
        acc[index[sid]][j] = acc[index[sid]].get(j, 0) + v


def read_bulgaria(path: str | Path) -> StationTable:
    """Read the directory ``bulgaria-2021-07/`` (protocols plus paper and machine votes)."""
    folder = Path(path)
    if folder.is_file():
        folder = folder.parent
    protocols = folder / "41_protocols.csv.gz"
    if not protocols.exists():
        protocols = folder / "41_protocols.csv"
    if not protocols.exists():
        raise InputError("41_protocols.csv(.gz) not found", file=str(folder), rule="not-found")
    reader = csv.reader(io.StringIO(read_text(protocols)), delimiter=";")
    header = [h.strip() for h in next(reader)]
    pos = {h: i for i, h in enumerate(header)}
    need = (
        "section_id", "registered_voters", "onsite_listed_voters", "voted_voters",
        "urn_paper_ballots", "urn_machine_ballots", "invalid_paper_ballots",
        "support_noone_paper_ballots", "support_noone_machine_ballots",
    )  # fmt: skip
    for c in need:
        if c not in pos:
            raise InputError(
                "column missing", file=str(protocols), line=1, column=c, rule="missing"
            )
    rows = [r for r in reader if r]
    ids = [r[pos["section_id"]].strip() for r in rows]
    index = {sid: i for i, sid in enumerate(ids)}
    m = np.array([[int(r[pos[c]] or 0) for c in need[1:]] for r in rows], dtype=np.int64)
    acc: list[dict[int, int]] = [{} for _ in rows]
    parties: dict[str, int] = {}
    for name in ("50_votes_paper", "50_votes_machine"):
        for suffix in (".csv.gz", ".csv"):
            f = folder / f"{name}{suffix}"
            if f.exists():
                _votes(f, index, parties, acc)
                break
    order = sorted(parties, key=int)
    votes = np.zeros((len(rows), len(order)), dtype=np.int64)
    col = [parties[p] for p in order]
    for i, d in enumerate(acc):
        for k, j in enumerate(col):
            votes[i, k] = d.get(j, 0)
    # the section code's first two digits are the multi-member constituency (region);
    # the next two the municipality
    region = np.array([s[:2] for s in ids], dtype=object)
    district = np.array([s[:4] for s in ids], dtype=object)
    return StationTable(
        stations=ids,
        registered=m[:, 0] + m[:, 1],
        ballots_issued=m[:, 2],
        ballots_cast=m[:, 3] + m[:, 4],
        votes=votes,
        parties=order,
        invalid=m[:, 5],
        against_all=m[:, 6] + m[:, 7],
        region=region,
        district=district,
        source=f"bulgaria:{folder.name}",
    )
