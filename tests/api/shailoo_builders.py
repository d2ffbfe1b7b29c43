"""Builds a small simulated election in a real SQLite ledger (shared by the API and web tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shailoo.api import auth
from shailoo.domain.events import OBSERVER_ACCREDITED
from shailoo.intake import create_election, record_protocols
from shailoo.ledger import open_store
from shailoo.ledger.signing import create_key, public_hex

PASSWORD = "correct horse battery"


def build_db(
    path: Path | str,
    sim: Any,
    reported: int = 50,
    *,
    double_entry: bool = False,
    schema: str | None = None,
    key_path: Path | None = None,
) -> dict[str, Any]:
    """Define the election, record ``reported`` protocols, accredit an observer, add users."""
    election = sim.election
    key = key_path or Path(str(path)).with_suffix(".key")
    store_cm = open_store(str(path), schema=schema) if schema else open_store(str(path))
    with store_cm as store:
        create_election(
            store,
            law=election.law_name,
            parties=election.parties,
            stations=election.stations,
            author="test",
            name=election.name,
            date=election.date,
            election_id=election.id,
            public_key=public_hex(create_key(key)),
            double_entry=double_entry,
        )
        result = record_protocols(store, election.id, sim.protocols[:reported], "import")
        assert not result.rejected
        stations = election.stations
        # The operator's and the observer's station has no protocol yet; "other" has one.
        own = stations[reported]
        other = next(s for s in (*stations[:reported], *stations) if s.district != own.district)
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
