"""Re-runs: a new election that replaces an annulled one, in whole or in part.

The old ledger gets an ``election.replaced`` event naming the re-run; the new ledger's first
event (``election.defined``) carries ``replaces = {election_id, final_hash, scope}``, where
``final_hash`` is the old ledger's head *after* that last event — so the two ledgers are linked
both ways and the new one pins the old one's final state.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shailoo.domain.days import calendar_day
from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import ELECTION_DEFINED, ELECTION_REPLACED
from shailoo.domain.model import Election, Party, Station
from shailoo.ledger.store import ELECTION_ID
from shailoo.tally.service import load_tally
from shailoo.tally.units import normalise_level

if TYPE_CHECKING:
    from shailoo.ledger import Store

SCOPE_LEVELS = ("election", "region", "district", "station")


def read_parties_csv(path: str | Path) -> list[Party]:
    """Parties from a CSV with ``id,name`` columns (list order = row order)."""
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or not {"id", "name"} <= set(reader.fieldnames):
                raise InputError(
                    "the parties file needs the columns id,name", file=name, line=1, rule="header"
                )
            out: list[Party] = []
            for line, row in enumerate(reader, start=2):
                pid, pname = (row.get("id") or "").strip(), (row.get("name") or "").strip()
                if not pid:
                    raise InputError("empty party id", file=name, line=line, column="id")
                if any(p.id == pid for p in out):
                    raise InputError(
                        "duplicate party id", file=name, line=line, column="id", values={"id": pid}
                    )
                out.append(Party(pid, pname or pid))
            return out
    except OSError as exc:
        raise InputError(f"cannot read the parties file: {exc.strerror}", file=name) from None


def _new_id(store: Store, old_id: str) -> str:
    existing = set(store.elections())
    candidate = f"{old_id}-rerun"[:63]
    n = 2
    while candidate in existing:
        candidate = f"{old_id}-rerun{n}"[:63]
        n += 1
    return candidate


def create_rerun(
    store: Store,
    election_id: str | None = None,
    *,
    new_id: str | None = None,
    name: str | None = None,
    date: str | None = None,
    level: str = "election",
    ids: Sequence[str] = (),
    withdraw: Sequence[str] = (),
    parties: Sequence[Party] | None = None,
    author: str = "commission",
) -> Election:
    """Create the re-run of an annulled election (or of annulled units of it); return it.

    ``level`` ``election`` repeats the whole vote; ``region``/``district``/``station`` with
    ``ids`` repeats it there only, and the re-run's protocols then take the place of the
    annulled ones in this election's tally. Every unit in scope must stand annulled. The
    party list is copied; ``withdraw`` removes parties and ``parties`` (whole re-runs only)
    replaces the list, e.g. to register a new party.
    """
    old_tally = load_tally(store, election_id)
    old = old_tally.election
    level = "election" if normalise_level(level) == "nation" else level
    if level not in SCOPE_LEVELS:
        raise InputError(f"unknown scope {level!r}; one of {', '.join(SCOPE_LEVELS)}", rule="scope")
    scope: dict[str, Any] = {"level": level}
    unfinished = interrupted_reruns(store, old_tally.replaced_by)
    if unfinished:
        # the old ledger says "replaced by" an election that was never written (the process
        # stopped between the two ledgers' appends): this call completes that re-run
        return _complete(
            store, old, unfinished[0], level, ids, withdraw, parties, name, date, author
        )
    if any(r["scope"].get("level") == "election" for r in old_tally.replaced_by):
        raise Refused(f"election {old.id!r} was already replaced by a re-run")
    if level == "election":
        if not old_tally.annulled:
            raise Refused(
                f"election {old.id!r} is not annulled; annul it first "
                "('shailoo decide annul --level election ...')"
            )
        stations = old.stations
    else:
        if not ids:
            raise InputError(f"a {level} re-run needs the ids of the {level}s", rule="scope")
        for uid in ids:
            if not old_tally.has_unit(level, uid):
                raise NotFound(f"election {old.id!r} has no {level} {uid!r}")
            if not old_tally.annulled_by(level, uid):
                raise Refused(f"{level} {uid} is not annulled; annul it before re-running it")
        covered = {s for uid in ids for s in old_tally.station_ids(level, uid)}
        already = {s for r in old_tally.replaced_by for s in _scope_stations(old_tally, r["scope"])}
        if covered & already:
            raise Refused(
                "a re-run already covers station(s) " + ", ".join(sorted(covered & already)[:5])
            )
        stations = tuple(s for s in old.stations if s.id in covered)
        scope["ids"] = list(ids)
        if parties is not None:
            raise Refused(
                "a partial re-run repeats the vote of the same election: its party list can "
                "only lose withdrawn parties"
            )
    party_list = list(parties) if parties is not None else list(old.parties)
    ids_now = {p.id for p in party_list}
    for pid in withdraw:
        if pid not in ids_now:
            raise NotFound(f"no party {pid!r} to withdraw; parties: {', '.join(sorted(ids_now))}")
    party_list = [p for p in party_list if p.id not in set(withdraw)]
    if not party_list:
        raise Refused("the re-run would have no party on the ballot")
    rerun_id = new_id or _new_id(store, old.id)
    if rerun_id in store.elections():
        raise Refused(f"election {rerun_id!r} already exists")
    # Everything the new ledger's first event needs is checked before the old ledger says
    # "replaced by": a refused id or date once left the old election pointing at nothing.
    if not ELECTION_ID.match(rerun_id):
        raise InputError(
            "an election id is a short slug: lowercase letters, digits and '-'",
            column="id",
            rule="election-id",
            values={"id": rerun_id},
        )
    if date is not None:
        date = calendar_day(date, "the re-run's polling day")
    # Two ledgers, two transactions: the old one says "replaced by" first. Should the process
    # stop before the new one is written, calling create_rerun again completes it (see
    # interrupted_reruns); until then the old election's tally leaves the missing one out.
    replaced = store.append(
        old.id, [(ELECTION_REPLACED, {"by": rerun_id, "scope": scope}, author)]
    )[0]
    return _define_rerun(
        store, old, rerun_id, scope, stations, party_list, name, date, replaced.hash, author
    )


def interrupted_reruns(store: Store, replaced_by: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``replaced_by`` links of a tally whose re-run election does not exist: a re-run
    interrupted between its two appends (:func:`create_rerun` completes it)."""
    known = set(store.elections())
    return [link for link in replaced_by if link["by"] not in known]


def _define_rerun(
    store: Store,
    old: Election,
    rerun_id: str,
    scope: dict[str, Any],
    stations: Sequence[Station],
    party_list: Sequence[Party],
    name: str | None,
    date: str | None,
    final_hash: str,
    author: str,
) -> Election:
    """Write the re-run's ``election.defined``, linked to the old ledger's head ``final_hash``."""
    new = Election(
        id=rerun_id,
        name=name or f"{old.name} (re-run)",
        law=old.law,
        law_name=old.law_name,
        parties=tuple(party_list),
        stations=tuple(stations),
        date=date,
        double_entry=old.double_entry,
        replaces={"election_id": old.id, "final_hash": final_hash, "scope": scope},
    )
    payload = new.to_payload()
    # keep the commission key the old ledger's signatures were checked with (see intake)
    defined = next(iter(store.events(old.id, kinds=[ELECTION_DEFINED])), None)
    if defined is not None and defined.payload.get("public_key"):
        payload["public_key"] = defined.payload["public_key"]
    store.append(rerun_id, [(ELECTION_DEFINED, payload, author)])
    return new


def _complete(
    store: Store,
    old: Election,
    link: dict[str, Any],
    level: str,
    ids: Sequence[str],
    withdraw: Sequence[str],
    parties: Sequence[Party] | None,
    name: str | None,
    date: str | None,
    author: str,
) -> Election:
    """Write the missing election of an interrupted re-run ``link`` (its ``election.replaced``
    event is stored; its definition is not). The scope is the one recorded in that event;
    a call asking for another scope is refused rather than silently given the recorded one."""
    scope = dict(link["scope"])
    wanted: dict[str, Any] = {"level": level, **({"ids": list(ids)} if level != "election" else {})}
    if wanted != scope:
        raise Refused(
            f"a re-run of {old.id!r} as {link['by']!r} (scope {scope}) was interrupted before "
            "its ledger was written; run the same re-run again to complete it first"
        )
    replaced = next(iter(store.events(old.id, after_seq=int(link["seq"]) - 1)), None)
    assert replaced is not None and replaced.kind == ELECTION_REPLACED
    if scope["level"] == "election":
        stations: Sequence[Station] = old.stations
    else:
        tally = load_tally(store, old.id)
        covered = {s for uid in scope["ids"] for s in tally.station_ids(scope["level"], uid)}
        stations = [s for s in old.stations if s.id in covered]
    base = list(parties) if parties is not None else list(old.parties)
    party_list = [p for p in base if p.id not in set(withdraw)]
    if not party_list:
        raise Refused("the re-run would have no party on the ballot")
    if date is not None:
        date = calendar_day(date, "the re-run's polling day")
    return _define_rerun(
        store, old, link["by"], scope, stations, party_list, name, date, replaced.hash, author
    )


def _scope_stations(tally: Any, scope: dict[str, Any]) -> set[str]:
    level = scope.get("level", "election")
    if level == "election":
        return set(tally.station_ids("nation"))
    return {s for uid in scope.get("ids", []) for s in tally.station_ids(level, uid)}
