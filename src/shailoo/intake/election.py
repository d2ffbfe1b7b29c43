"""Creating an election: its parties, stations and law become the first ledger event."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import ELECTION_DEFINED, ELECTION_REPLACED
from shailoo.domain.model import Election, Party, Station
from shailoo.ledger.store import ELECTION_ID, Store


def slug(text: str) -> str:
    """A short election id from a name: lowercase ASCII letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40].strip("-")
    return s or "election"


def _free_id(store: Store, base: str) -> str:
    taken = set(store.elections())
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def create_election(
    store: Store,
    *,
    law: str,
    parties: Sequence[Party],
    stations: Sequence[Station],
    author: str,
    name: str | None = None,
    date: str | None = None,
    election_id: str | None = None,
    double_entry: bool = False,
    public_key: str | None = None,
    replaces: Mapping[str, Any] | None = None,
) -> Election:
    """Define a new election in ``store`` and return it.

    ``law`` is a preset name (``kg-2020``) or a law file path; the law's text goes into the
    ledger. Without ``election_id`` one is made from the name (or the law) and made unique.
    ``public_key`` (hex) is the commission key whose signatures ``verify`` will accept.
    ``replaces = {"election_id": OLD, "scope": {...}}`` makes this a re-run: the old ledger gets an
    ``election.replaced`` event and this election's first event records the old final hash.
    """
    from shailoo.law import load_law

    law_value = load_law(law)
    if election_id is not None:
        if not ELECTION_ID.match(election_id):
            raise InputError(
                "an election id is a short slug: lowercase letters, digits and '-'",
                column="id",
                rule="election-id",
                values={"id": election_id},
            )
        if election_id in store.elections():
            raise Refused(f"election {election_id!r} already exists in this database")
        eid = election_id
    else:
        eid = _free_id(store, slug(name or law_value.name))
    if not parties:
        raise InputError("an election needs at least one party", rule="empty")
    if not stations:
        raise InputError("an election needs at least one station", rule="empty")
    replaces_value: dict[str, Any] | None = None
    if replaces is not None:
        old = str(replaces.get("election_id"))
        if old not in store.elections():
            raise NotFound(f"the election to replace, {old!r}, is not in this database")
        scope = dict(replaces.get("scope") or {"level": "election"})
        store.append(old, [(ELECTION_REPLACED, {"by": eid, "scope": scope}, author)])
        head = store.head(old)
        assert head is not None
        replaces_value = {"election_id": old, "final_hash": head.hash, "scope": scope}
    election = Election(
        id=eid,
        name=name or law_value.name,
        law=law_value.text,
        law_name=law_value.name,
        parties=tuple(parties),
        stations=tuple(stations),
        date=date,
        double_entry=double_entry,
        replaces=replaces_value,
    )
    payload = election.to_payload()
    if public_key is not None:
        payload["public_key"] = public_key
    store.append(eid, [(ELECTION_DEFINED, payload, author)])
    return election
