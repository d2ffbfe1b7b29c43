"""Reuse the two-backend store fixtures of tests/ledger (loaded by path: tests is no package)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_spec = importlib.util.spec_from_file_location(
    "shailoo_ledger_test_stores", Path(__file__).parent.parent / "ledger" / "conftest.py"
)
assert _spec and _spec.loader
_stores = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_stores)

store_factory = _stores.store_factory
store = _stores.store
require_pg = _stores.require_pg
PG_URL = _stores.PG_URL
drop_schema = _stores.drop_schema
