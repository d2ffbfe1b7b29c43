"""A small simulated election in a real SQLite ledger, and an API client over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shailoo_builders import PASSWORD, build_db

from shailoo.api.app import create_app
from shailoo.simulate import kyrgyz_2020


@pytest.fixture(scope="session")
def sim() -> Any:
    """A 60-station Kyrgyz-like election (9 regions, 16 parties)."""
    return kyrgyz_2020(seed=3, n_stations=60)


@pytest.fixture()
def world(tmp_path: Path, sim: Any) -> Iterator[dict[str, Any]]:
    """A fresh database with the election and a client; ``tokens`` by role."""
    db = tmp_path / "e.db"
    info = build_db(db, sim)
    app = create_app(str(db))
    with TestClient(app) as client:
        tokens = {}
        for name in ("admin", "cec", "op", "obs"):
            r = client.post("/api/token", json={"name": name, "password": PASSWORD})
            assert r.status_code == 200, r.text
            tokens[name] = r.json()["token"]
        yield {**info, "db": db, "client": client, "tokens": tokens, "sim": sim}
