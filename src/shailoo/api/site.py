"""The state one API process shares between requests: stores per thread and the page cache.

Results-night traffic is almost all reads of a few pages. Every page is built from the ledger, so
a page's content is fixed by the election's ledger head: the cache keys each built page by
``(election, head hash, page)``. A request then costs one small query for the head and a dict
look-up; nothing is recomputed until an event is appended. The head hash is also the page's ETag.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from shailoo.api.forensics_view import ForensicsCache
from shailoo.domain.events import ELECTION_REPLACED
from shailoo.domain.model import Election
from shailoo.ledger import Store, default_db, open_store
from shailoo.tally.projection import Tally

T = TypeVar("T")

#: cached pages kept per process (older entries are dropped first)
CACHE_SIZE = 4096


@dataclass(frozen=True)
class Head:
    """Where an election's ledger stands: its id, the newest event's seq and hash."""

    election_id: str
    seq: int
    hash: str

    @property
    def etag(self) -> str:
        """The strong ETag of every page derived from this head."""
        return f'"{self.election_id}-{self.seq}-{self.hash[:16]}"'


class Site:
    """Opens one store per thread (SQLite connections stay in their thread) and caches pages."""

    def __init__(self, db: str | None = None, *, schema: str | None = None) -> None:
        self.db = default_db(db)
        self.schema = schema
        self._local = threading.local()
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._stores: list[Store] = []
        self._tallies: dict[str, tuple[str, Tally]] = {}
        self._reruns: dict[str, tuple[int, list[str]]] = {}
        self._partial: dict[str, bool] = {}
        self._elections: dict[str, Election] = {}
        #: the latest forensic report of each election of this database
        self.forensics = ForensicsCache()
        #: held while a page is built from a tally (a re-entrant lock: builds may nest)
        self.build_lock = threading.RLock()

    def store(self) -> Store:
        """This thread's store, opened on first use."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = open_store(self.db, schema=self.schema) if self.schema else open_store(self.db)
            self._local.store = store
            with self._lock:
                self._stores.append(store)
        return store

    def election_id(self, requested: str | None = None) -> str:
        """``requested`` if given (checked to exist), else the newest election that is not a
        partial re-run (a partial re-run lives inside its original's pages).

        Runs on every request, so it costs one small query: an election's definition never
        changes once written, so whether it is a partial re-run is remembered.
        """
        from shailoo.domain.errors import NotFound
        from shailoo.tally.service import is_partial_rerun

        store = self.store()
        ids = store.elections()
        if requested:
            if requested not in ids:
                raise NotFound(f"no election {requested!r}; known: {', '.join(ids) or 'none'}")
            return requested
        if not ids:
            raise NotFound("no election in this database; create one with 'shailoo init'")
        for eid in reversed(ids):
            partial = self._partial.get(eid)
            if partial is None:
                partial = is_partial_rerun(store.election(eid))
                self._partial[eid] = partial
            if not partial:
                return eid
        return ids[-1]

    def election(self, election_id: str) -> Election:
        """The election's definition (read once: a ledger's first event never changes)."""
        found = self._elections.get(election_id)
        if found is None:
            found = self.store().election(election_id)
            self._elections[election_id] = found
        return found

    def head(self, election_id: str) -> Head:
        """The election's ledger head, folded with the heads of its partial re-runs.

        A partial re-run's protocols take the place of annulled ones in the original's pages,
        so those pages change when the re-run's ledger moves although the original's does not.
        """
        store = self.store()
        event = store.head(election_id)
        if event is None:
            return Head(election_id, 0, "0" * 64)
        reruns = self._partial_reruns(election_id, event.seq)
        if not reruns:
            return Head(election_id, event.seq, event.hash)
        folded = hashlib.sha256(event.hash.encode())
        for rid in reruns:
            sub = store.head(rid)
            folded.update(f"|{rid}:{sub.hash if sub else ''}".encode())
        return Head(election_id, event.seq, folded.hexdigest())

    def _partial_reruns(self, election_id: str, seq: int) -> list[str]:
        """Ids of the partial re-runs linked to the election (looked up again when it moves)."""
        known = self._reruns.get(election_id)
        if known is not None and known[0] == seq:
            return known[1]
        ids = [
            str(ev.payload.get("by"))
            for ev in self.store().events(election_id, kinds=[ELECTION_REPLACED])
            if (ev.payload.get("scope") or {}).get("level", "election") != "election"
        ]
        self._reruns[election_id] = (seq, ids)
        return ids

    def tally(self, head: Head) -> Tally:
        """The election's tally at ``head``, kept per election and moved forward event by event.

        Callers must hold :attr:`build_lock` while they read the tally, since a later head moves
        it in place.
        """
        from shailoo.tally.service import load_tally

        store = self.store()
        found = self._tallies.get(head.election_id)
        if found is not None and found[0] == head.hash:
            return found[1]
        if found is not None and not found[1].replaced_by and found[1].head_seq < head.seq:
            # One appended protocol costs work in proportion to the parties, not a recount.
            current = found[1]
            current.apply_all(store.events(head.election_id, after_seq=current.head_seq))
            if current.head_seq == head.seq and not current.replaced_by:
                self._tallies[head.election_id] = (head.hash, current)
                return current
        fresh = load_tally(store, head.election_id)
        self._tallies[head.election_id] = (head.hash, fresh)
        return fresh

    def cached(self, key: tuple[Any, ...], build: Callable[[], T]) -> T:
        """The value cached under ``key``, built once by ``build`` (key must include the head)."""
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]  # type: ignore[no-any-return]
        value = build()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return value

    def close(self) -> None:
        """Close every store this site opened."""
        with self._lock:
            for store in self._stores:
                # A store of a finished thread may already be gone.
                with contextlib.suppress(Exception):
                    store.close()
            self._stores.clear()
        self._local = threading.local()
