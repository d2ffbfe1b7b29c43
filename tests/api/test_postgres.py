"""The same API over PostgreSQL: accounts, tokens, pages, a write seen at once (own schema)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shailoo_builders import PASSWORD, build_db

from shailoo.api.app import create_app

pytestmark = pytest.mark.postgres


def test_api_on_postgresql(tmp_path: Path, sim: Any, pg_url: str, pg_schema: str) -> None:
    """Accounts, tokens, pages and a write seen at once, in a schema of its own."""
    schema = pg_schema
    info = build_db(pg_url, sim, schema=schema, key_path=tmp_path / "pg.key")
    with TestClient(create_app(pg_url, schema=schema)) as c:
        national = c.get("/index.json").json()
        assert national["results"]["stations_reported"] == 50
        token = c.post("/api/token", json={"name": "op", "password": PASSWORD}).json()["token"]
        p = next(x for x in sim.protocols if x.station == info["own"].id)
        body = {
            "station": p.station, "registered": p.registered,
            "ballots_received": p.ballots_received, "ballots_issued": p.ballots_issued,
            "ballots_cast": p.ballots_cast, "invalid": p.invalid,
            "against_all": p.against_all, "votes": dict(p.votes),
        }  # fmt: skip
        r = c.post("/api/protocols", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 201, r.text
        after = c.get("/index.json").json()["results"]
        assert after["stations_reported"] == 51
        assert after["ballots_cast"] == national["results"]["ballots_cast"] + p.ballots_cast
        html = c.get(f"/station/{p.station}", headers={"Accept": "text/html"}).text
        assert "op" in html
