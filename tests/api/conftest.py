"""A small simulated election in a real SQLite ledger, and an API client over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shailoo.api import auth
from shailoo.api.app import create_app
from shailoo.domain.events import OBSERVER_ACCREDITED
from shailoo.intake import create_election, record_protocols
from shailoo.ledger import open_store
from shailoo.ledger.signing import create_key, public_hex
from shailoo.simulate import kyrgyz_2020

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def sim() -> Any:
    """A 60-station Kyrgyz-like election (9 regions, 16 parties)."""
    return kyrgyz_2020(seed=3, n_stations=60)


def build_db(path: Path, sim: Any, reported: int = 50) -> dict[str, Any]:
    """Define the election, record ``reported`` protocols, accredit an observer, add users."""
    election = sim.election
    with open_store(str(path)) as store:
        create_election(
            store,
            law=election.law_name,
            parties=election.parties,
            stations=election.stations,
            author="test",
            name=election.name,
            date=election.date,
            election_id=election.id,
            public_key=public_hex(create_key(path.with_suffix(".key"))),
        )
        result = record_protocols(store, election.id, sim.protocols[:reported], "import")
        assert not result.rejected
        stations = election.stations
        # The operator's and the observer's station has no protocol yet; "other" has one.
        own = stations[reported]
        other = next(s for s in stations[:reported] if s.district != own.district)
        store.append(
            election.id,
            [
                (
                    OBSERVER_ACCREDITED,
                    {
                        "observer_id": "obs-1",
                        "organisation": "Taza Shailoo",
                        "name": "Aida",
                        "scope": {"stations": [own.id], "districts": []},
                        "valid_from": "2020-09-01",
                        "valid_to": "2020-10-31",
                    },
                    "test",
                )
            ],
        )
        auth.add_user(store, "admin", PASSWORD, "admin")
        auth.add_user(store, "cec", PASSWORD, "commission")
        auth.add_user(store, "op", PASSWORD, "operator", district=own.district)
        auth.add_user(store, "obs", PASSWORD, "observer", observer_id="obs-1")
    return {
        "election": election,
        "own": own,
        "other": other,
        "unreported": [s.id for s in stations[reported:]],
    }


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
