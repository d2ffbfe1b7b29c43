"""Fixtures shared by every test folder: a ledger on SQLite and on PostgreSQL.

PostgreSQL tests each get a schema of their own, dropped afterwards, so that engineers and CI
runs sharing one server never see each other's tables. Without a server they skip, or fail
when SHAILOO_REQUIRE_POSTGRES=1 (CI must not pass by skipping).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

PG_URL = os.environ.get("SHAILOO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def pg_available() -> bool:
    """True if the test PostgreSQL server answers."""
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False


def require_pg() -> None:
    """Skip without a server, or fail when SHAILOO_REQUIRE_POSTGRES=1 (CI)."""
    if not pg_available():
        if os.environ.get("SHAILOO_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but {PG_URL} does not answer")
        pytest.skip(f"no PostgreSQL at {PG_URL}")


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """The name of a fresh PostgreSQL schema on ``PG_URL``, dropped with all in it afterwards."""
    require_pg()
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    try:
        yield schema
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


class LedgerDb(NamedTuple):
    """Where a test ledger lives: ``open_store(db, schema=schema)`` opens it."""

    db: str
    schema: str | None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger_db(request: pytest.FixtureRequest, tmp_path: Path) -> LedgerDb:
    """A fresh, empty ledger location on SQLite and on PostgreSQL (a schema of its own)."""
    if request.param == "sqlite":
        return LedgerDb(str(tmp_path / "ledger.db"), None)
    return LedgerDb(PG_URL, request.getfixturevalue("pg_schema"))


@pytest.fixture
def pg_url() -> str:
    """The test PostgreSQL server (``$SHAILOO_TEST_PG``); pair it with ``pg_schema``."""
    return PG_URL


@pytest.fixture
def store_factory(ledger_db: LedgerDb) -> Iterator[object]:
    """A function opening (another connection to) one fresh ledger on the backend.

    Every store it opened is closed afterwards, before the PostgreSQL schema is dropped.
    """
    from shailoo.ledger import Store, open_store

    opened: list[Store] = []

    def factory() -> Store:
        s = open_store(ledger_db.db, schema=ledger_db.schema)
        opened.append(s)
        return s

    # tests/intake/test_crash.py hands the location to a subprocess
    factory.db = ledger_db.db  # type: ignore[attr-defined]
    factory.schema = ledger_db.schema  # type: ignore[attr-defined]
    yield factory
    for s in opened:
        s.close()


@pytest.fixture
def store(store_factory: object) -> object:
    """One fresh ledger store on each backend."""
    return store_factory()  # type: ignore[operator]
