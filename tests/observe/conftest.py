"""Fixtures of the observer tests: the synthetic election and a ledger on each backend."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from observe_synthetic import Population, population

from shailoo.ledger import Store, open_store


@pytest.fixture(scope="session")
def synthetic_population() -> Population:
    """The default synthetic election (2,000 stations, 9 regions)."""
    return population()


PG_URL = os.environ.get("SHAILOO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh ledger on SQLite and on PostgreSQL (a schema of its own, dropped afterwards).

    Without a server the PostgreSQL case skips, or fails when SHAILOO_REQUIRE_POSTGRES=1.
    """
    if request.param == "sqlite":
        with open_store(tmp_path / "ledger.db") as s:
            yield s
        return
    if not _pg_available():
        if os.environ.get("SHAILOO_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but {PG_URL} does not answer")
        pytest.skip(f"no PostgreSQL at {PG_URL}")
    import psycopg

    schema = "obs_" + uuid.uuid4().hex[:12]
    try:
        with open_store(PG_URL, schema=schema) as s:
            yield s
    finally:
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
