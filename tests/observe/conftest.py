"""Fixtures of the observer tests: the synthetic election and a ledger on each backend."""

from __future__ import annotations

import pytest
from observe_synthetic import Population, population

from shailoo.ledger import Store


@pytest.fixture(scope="session")
def synthetic_population() -> Population:
    """The default synthetic election (2,000 stations, 9 regions)."""
    return population()


@pytest.fixture
def ledger(store: Store) -> Store:
    """A fresh ledger on SQLite and on PostgreSQL (``store`` in tests/conftest.py)."""
    return store
