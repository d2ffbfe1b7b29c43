"""Store fixtures: every store test runs on SQLite and on PostgreSQL (in a schema of its own)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from shailoo.ledger import Store, open_store

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


def drop_schema(schema: str) -> None:
    """Drop a test schema and everything in it."""
    import psycopg

    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    """A function opening (another connection to) one fresh ledger on the backend."""
    opened: list[Store] = []
    if request.param == "sqlite":
        db = str(tmp_path / "ledger.db")

        def factory() -> Store:
            s = open_store(db)
            opened.append(s)
            return s

        factory.db = db  # type: ignore[attr-defined]
        factory.schema = None  # type: ignore[attr-defined]
        yield factory
        for s in opened:
            s.close()
    else:
        require_pg()
        schema = "t_" + uuid.uuid4().hex[:12]

        def factory() -> Store:
            s = open_store(PG_URL, schema=schema)
            opened.append(s)
            return s

        factory.db = PG_URL  # type: ignore[attr-defined]
        factory.schema = schema  # type: ignore[attr-defined]
        yield factory
        for s in opened:
            s.close()
        drop_schema(schema)


@pytest.fixture
def store(store_factory: object) -> Store:
    """One fresh ledger store on each backend."""
    return store_factory()  # type: ignore[operator,no-any-return]
