"""The tamper-evident ledger: every change to an election is an event in a SHA-256 chain.

>>> from shailoo.ledger import open_store
>>> with open_store("shailoo.db") as store:          # doctest: +SKIP
...     election = store.election(store.current_election())

See ``docs/ledger.md`` for the contract, the canonical encoding and the signatures.
"""

from __future__ import annotations

import os
from pathlib import Path

from shailoo.domain.errors import InputError, NotFound
from shailoo.domain.events import Event
from shailoo.ledger.store import Checkpoint, Store, Writer

__all__ = [
    "Checkpoint",
    "Event",
    "Store",
    "Writer",
    "default_db",
    "default_key_path",
    "is_postgres",
    "open_store",
]

#: database used when neither ``--db`` nor ``SHAILOO_DB`` says otherwise
DEFAULT_DB = "shailoo.db"


def is_postgres(db: str) -> bool:
    """True if ``db`` is a PostgreSQL URL rather than a SQLite path."""
    return db.startswith(("postgresql://", "postgres://"))


def default_db(db: str | None = None) -> str:
    """``db`` if given, else ``$SHAILOO_DB``, else ``./shailoo.db``."""
    return db or os.environ.get("SHAILOO_DB") or DEFAULT_DB


def default_key_path(db: str, key: str | None = None) -> Path:
    """Where the commission's private key is: ``key``, ``$SHAILOO_KEY`` or ``<sqlite db>.key``
    (:mod:`shailoo.ledger.signing` reads and uses it)."""
    chosen = key or os.environ.get("SHAILOO_KEY")
    if chosen:
        return Path(chosen)
    if is_postgres(db):
        raise InputError(
            "a PostgreSQL ledger needs the commission key's path: pass --key PATH or set SHAILOO_KEY",
            rule="key-required",
        )
    return Path(db + ".key")


def open_store(
    db: str | Path | None = None, *, schema: str | None = None, must_exist: bool = False
) -> Store:
    """Open the ledger at ``db``: a SQLite path or a ``postgresql://`` URL.

    ``None`` means ``$SHAILOO_DB`` or ``./shailoo.db``. ``schema`` (PostgreSQL only) puts the
    tables in that schema, creating it if needed; tests use it to stay apart. ``must_exist``
    refuses to create a new SQLite file (commands that only read or add to an election).
    """
    target = default_db(None if db is None else str(db))
    if is_postgres(target):
        from shailoo.ledger.postgres import PostgresStore

        return PostgresStore(target, schema=schema)
    from shailoo.ledger.sqlite import SqliteStore

    if must_exist and not Path(target).is_file():
        raise NotFound(f"no database at {target}; create an election first with 'shailoo init'")

    return SqliteStore(target)
