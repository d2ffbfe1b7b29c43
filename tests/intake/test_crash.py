"""An import killed with SIGKILL part-way leaves a ledger that verifies; importing again
finishes with nothing duplicated and nothing missing (SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from shailoo.intake import create_election
from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
from shailoo.io.canonical import write_protocols_csv
from shailoo.ledger import open_store
from shailoo.ledger.verify import verify_store

N = 40_000


@pytest.fixture
def db(store_factory: Any) -> str:
    """The ledger as ``--db`` takes it (PostgreSQL: a URL selecting the test's schema)."""
    store_factory()  # creates the tables (and the PostgreSQL schema)
    if store_factory.schema is None:
        return str(store_factory.db)
    return f"{store_factory.db}?options=-csearch_path%3D{store_factory.schema}"


@pytest.mark.slow
def test_sigkill_mid_import_then_reimport(tmp_path: Path, db: str) -> None:
    parties = sample_parties(5)
    stations = sample_stations(N)
    ids = tuple(p.id for p in parties)
    with open_store(db) as store:
        create_election(
            store,
            law="kg-2020",
            parties=parties,
            stations=stations,
            author="cec",
            election_id="crash",
        )
    path = tmp_path / "protocols.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, sample_protocols(stations, ids), ids)
    cmd = [
        sys.executable,
        "-m",
        "shailoo",
        "import",
        "--db",
        db,
        "--batch",
        "500",
        "--quiet",
        str(path),
    ]
    env = dict(os.environ, SHAILOO_KEY=str(tmp_path / "no-key"))
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed_at = 0
    with open_store(db) as store:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            killed_at = store.count("crash")
            if killed_at > 2_000:
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.005)
        proc.wait()
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read() if proc.stderr else ""
        partial = store.count("crash")
        assert 1 < partial < N + 1, "the import was not killed part-way"
        assert all(r.ok for r in verify_store(store))
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    with open_store(db) as store:
        assert store.count("crash") == N + 1
        latest = store.latest_protocols("crash")
        assert len(latest) == N  # every station once: nothing missing, nothing duplicated
        assert sum(1 for _ in store.events("crash", kinds={"protocol.recorded"})) == N
        assert all(r.ok for r in verify_store(store))
