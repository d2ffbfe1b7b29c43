"""The tally as the CLI and the web read it: from a database, re-runs attached, seats by law.

These functions open the ledger, rebuild the projection and hand back plain values; printing
and HTTP belong to the callers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from shailoo.domain.errors import NotFound, Refused
from shailoo.domain.events import Event
from shailoo.domain.model import Election, VoteTotals
from shailoo.gc_pause import cycle_collector_paused
from shailoo.tally.projection import Tally

if TYPE_CHECKING:
    from shailoo.law import Allocation, Law
    from shailoo.ledger import Store


def is_partial_rerun(election: Election) -> bool:
    """True if the election repeats the vote in part of another one (its scope is not whole)."""
    scope = (election.replaces or {}).get("scope")
    return isinstance(scope, Mapping) and scope.get("level", "election") != "election"


def default_election(store: Store) -> str:
    """The newest election that is not a partial re-run (a partial re-run lives in its original).

    Raises :class:`NotFound` when the database holds no election.
    """
    ids = store.elections()
    if not ids:
        raise NotFound("no election in this database; create one with 'shailoo init'")
    for eid in reversed(ids):
        if not is_partial_rerun(store.election(eid)):
            return eid
    return ids[-1]


def load_tally(store: Store, election_id: str | None = None, *, progress: bool = False) -> Tally:
    """Rebuild the tally of an election from its ledger, with partial re-runs attached.

    ``None`` means :func:`default_election`. When the election was partly re-run, the
    re-run's protocols take the place of the annulled ones (see :meth:`Tally.attach_rerun`).
    ``progress`` shows a progress bar on stderr (the CLI passes it when stderr is a terminal).
    """
    with cycle_collector_paused():  # 15-20 % of a rebuild (bench/tally.py)
        return _load(store, election_id or default_election(store), set(), progress)


def _decoder() -> Callable[[str | bytes], Any]:
    try:
        import msgspec
    except ImportError:  # pragma: no cover - msgspec is a dependency; json gives the same values
        return json.loads
    decoder: Callable[[str | bytes], Any] = msgspec.json.Decoder().decode
    return decoder


def ledger_events(store: Store, election_id: str, after_seq: int = 0) -> Iterator[Event]:
    """The election's events, as :meth:`Store.events` gives them, decoded faster.

    Decoding the JSON payloads is most of the cost of a rebuild; msgspec decodes the same
    JSON to the same values about twice as fast as :mod:`json` (bench/tally.py).
    """
    from shailoo.ledger.store import COLUMNS

    col = {c: i for i, c in enumerate(COLUMNS)}
    e, s, k, a, r, h, ph, pl = (
        col[c]
        for c in (
            "election_id",
            "seq",
            "kind",
            "author",
            "recorded_at",
            "hash",
            "prev_hash",
            "payload",
        )
    )
    decode = _decoder()
    for row in store.event_rows(election_id, after_seq):
        yield Event(int(row[s]), row[k], decode(row[pl]), row[a], row[r], row[e], row[h], row[ph])


def _load(store: Store, election_id: str, seen: set[str], progress: bool = False) -> Tally:
    from shailoo.ledger.store import PROTOCOL_KINDS

    seen.add(election_id)
    # Everything is read up to the head as it is now, so the tally is that of one prefix of
    # the ledger even while someone appends. seq 1 is election.defined, read by store.election.
    # One pass over the rows gives the protocols as bare payloads (their order among
    # themselves is all a rebuild needs of their rows) and where the other events are; those
    # few are then read in full, from the first of them on (Tally.rebuild_from_ledger, which
    # reads every page before the other rows; issue 4, bench/tally.py).
    head_seq, head_hash = store.head_link(election_id)  # there is at least election.defined
    others_from: list[int] = []  # the seq of the first event that is not a protocol

    def protocol_pages() -> Iterator[list[str]]:
        for payloads, other_seqs in store.payload_pages(election_id, PROTOCOL_KINDS, 1, head_seq):
            if other_seqs and not others_from:
                others_from.append(other_seqs[0])
            yield payloads

    def other_rows() -> Iterator[tuple[int, str, str | None, str | None, str | None, str]]:
        if others_from:
            after = others_from[0] - 1
            yield from store.event_payloads(
                election_id, after, without_kinds=PROTOCOL_KINDS, up_to=head_seq
            )

    pages: Iterable[list[str]] = protocol_pages()
    if progress:
        pages = _with_progress(pages, max(0, head_seq - 1), election_id)
    tally = Tally.rebuild_from_ledger(store.election(election_id), pages, other_rows())
    tally.head_seq, tally.head_hash = head_seq, head_hash
    partial = [
        link["by"]
        for link in tally.replaced_by
        if link["scope"].get("level", "election") != "election" and link["by"] not in seen
    ]
    if partial:
        # a re-run interrupted before its ledger was written has nothing to attach yet
        # (commission.rerun.create_rerun completes it); its stations stay annulled
        known = set(store.elections())
        for by in partial:
            if by in known:
                tally.attach_rerun(_load(store, by, seen, progress))
    return tally


def _with_progress(pages: Iterable[list[str]], total: int, desc: str) -> Iterator[list[str]]:
    """The pages, counting their protocols on a progress bar (stderr) as they are read."""
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="ev") as bar:
        for page in pages:
            yield page
            bar.update(len(page))


def seat_inputs(
    tally: Tally,
) -> tuple[VoteTotals, dict[str, VoteTotals], dict[str, VoteTotals] | None]:
    """National, regional and (for a law with ``[districts]``) district totals of the tally."""
    from shailoo.law import parse_law

    law = parse_law(tally.election.law, source=f"law of {tally.election.id}")
    districts = tally.district_totals() if law.districts is not None else None
    return tally.national_totals(), tally.regional_totals(), districts


def refuse_if_annulled(tally: Tally) -> None:
    """Raise :class:`Refused` if the whole election was annulled: it has no seats."""
    d = tally.election_annulment()
    if d is not None:
        replaced = [r["by"] for r in tally.replaced_by if r["scope"].get("level") == "election"]
        after = f"; the re-run is {replaced[-1]!r}" if replaced else ""
        raise Refused(
            f"election {tally.election.id!r} was annulled by decision {d.decision_id} of "
            f"{d.date} ({d.legal_basis.get('article', '')}: {d.reason}): it has no seats{after}"
        )


def refuse_if_no_seats(tally: Tally) -> None:
    """Raise :class:`Refused` for an annulled election or a partial re-run (no seats of its own)."""
    refuse_if_annulled(tally)
    if is_partial_rerun(tally.election):
        original = (tally.election.replaces or {}).get("election_id")
        raise Refused(
            f"election {tally.election.id!r} re-runs part of {original!r}: its protocols count "
            f"in {original!r}, whose seats they decide ('shailoo seats --db DB --election "
            f"{original}')"
        )


def seats_for_tally(tally: Tally) -> tuple[Law, Allocation, VoteTotals, dict[str, VoteTotals]]:
    """Seats by the election's own law from the counted protocols (annulled units left out)."""
    from shailoo.law import allocate, parse_law

    refuse_if_no_seats(tally)
    law = parse_law(tally.election.law, source=f"law of {tally.election.id}")
    national, regions, districts = seat_inputs(tally)
    alloc = allocate(law, national, regions or None, districts)
    return law, alloc, national, regions


def seats_for_db(
    db: str | None, election: str | None
) -> tuple[Law, Allocation, VoteTotals, dict[str, VoteTotals]]:
    """``shailoo seats --db``: open the ledger, rebuild the tally, allocate by its law.

    Regional thresholds are checked on the regional tallies. Raises :class:`Refused` for an
    annulled election (it has no seats).
    """
    from shailoo.ledger import open_store

    with open_store(db, must_exist=True) as store:
        tally = load_tally(store, election)
    return seats_for_tally(tally)


def results_json(tally: Tally, level: str = "nation", unit_id: str = "") -> dict[str, Any]:
    """The results of one unit and its sub-units as the ``--json`` output and the API give them."""
    head = tally.unit(level, unit_id)
    out: dict[str, Any] = {
        "election": tally.election.id,
        "name": tally.election.name,
        "parties": [{"id": p.id, "name": p.name} for p in tally.election.parties],
        "ledger_seq": tally.head_seq,
        "ledger_hash": tally.head_hash,
        "annulled": tally.annulled,
        "unit": head.to_json(),
    }
    if head.annulled:
        out["unit_as_reported"] = tally.unit(level, unit_id, as_reported=True).to_json()
    sub_level = {"nation": "region", "region": "district", "district": "station"}.get(head.level)
    if sub_level is not None:
        ids = tally.station_ids(head.level, unit_id)
        if sub_level == "region":
            children = tally.regions
        elif sub_level == "district":
            children = [d for d in tally.districts if tally.region_of_district[d] == unit_id]
        else:
            children = ids
        out["subunits"] = [tally.unit(sub_level, c).to_json() for c in children]
    out["decisions"] = [d.to_json() for d in tally.decisions.values()]
    out["replaced_by"] = tally.replaced_by
    if tally.election.replaces:
        out["replaces"] = dict(tally.election.replaces)
    return out
