"""``shailoo demo`` end to end (without serving), and the site over what it built."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from shailoo.api.app import create_app
from shailoo.cli import main
from shailoo.ledger import open_store
from shailoo.ledger.verify import verify_store
from shailoo.observe.service import reconcile
from shailoo.simulate import kyrgyz_2020
from shailoo.tally.service import load_tally


@pytest.mark.slow
def test_demo_builds_annuls_and_reruns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "demo.db")
    assert main(["demo", "--no-serve", "--annul", "--db", db]) == 0
    out = capsys.readouterr().out
    # the national result and the seats, with the steps of the allocation
    assert "2,460 of 2,460 stations" in out
    assert "Hare quota" in out and "Seats: " in out
    assert "6.85 %" in out  # the real 2020 count's explanation is kept
    assert "annul election" in out and "re-run" in out
    with open_store(db) as store:
        first, rerun = store.elections()
        tally = load_tally(store, first)
        assert tally.annulled
        assert store.election(rerun).replaces["election_id"] == first
        disputed = {s for s, r in reconcile(store, first).items() if r.disputed}
        sim = kyrgyz_2020(seed=2020, vote_buying_districts=3, rewritten=0.01)
        rewritten = {s for s, kinds in sim.truth.items() if "rewritten" in kinds}
        assert disputed == rewritten  # the observers' copies catch every rewritten protocol
        assert load_tally(store, rerun).unit("nation").stations_reported == 2460
        reports = verify_store(store)
        assert len(reports) == 2 and all(r.ok for r in reports), reports
    client = TestClient(create_app(db))
    data = client.get("/index.json").json()
    assert data["election"]["id"] == rerun and data["seats"]["total"] == 120
    old_html = client.get(f"/?election={first}", headers={"Accept": "text/html"}).text
    assert f'href="/region/Chui?election={first}"' in old_html  # links stay in that election
    assert "was replaced by" in old_html
    old = client.get(f"/index.json?election={first}").json()
    assert old["seats"]["annulled"] and old["election"]["replaced_by"]["election_id"] == rerun
    login = client.post("/api/token", json={"name": "cec", "password": "shailoo-demo"})
    assert login.status_code == 200


def test_serve_refuses_an_empty_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--db", str(tmp_path / "empty.db"), "--port", "1"]) == 2
    assert "no database at" in capsys.readouterr().err


def test_user_command(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    db = str(tmp_path / "u.db")
    monkeypatch.setenv("SHAILOO_PASSWORD", "a long password")
    assert (
        main(["user", "add", "ana", "--role", "operator", "--district", "Chui 03", "--db", db]) == 0
    )
    assert main(["user", "add", "bob", "--role", "operator", "--db", db]) == 2
    assert "--district" in capsys.readouterr().err
    assert main(["user", "list", "--db", db]) == 0
    assert "ana\toperator\tChui 03" in capsys.readouterr().out
    assert main(["user", "remove", "ana", "--db", db]) == 0
    assert main(["user", "remove", "ana", "--db", db]) == 2


def test_demo_never_replaces_a_real_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
    from shailoo_builders import build_db

    db = tmp_path / "real.db"
    build_db(db, kyrgyz_2020(seed=9, n_stations=60), reported=5)
    # The fixture's election id is the simulator's; give the database a non-demo election too.
    from shailoo.intake import create_election

    with open_store(str(db)) as store:
        e = store.election(store.elections()[0])
        create_election(store, law="kg-2020", parties=e.parties, stations=e.stations,
                        author="cec", election_id="parliament-2026")  # fmt: skip
    size = db.stat().st_size
    assert main(["demo", "--no-serve", "--db", str(db)]) == 1
    assert "did not make" in capsys.readouterr().err
    assert db.stat().st_size == size


def test_serve_refuses_a_busy_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import socket
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))
    from shailoo_builders import build_db

    db = tmp_path / "e.db"
    build_db(db, kyrgyz_2020(seed=9, n_stations=60), reported=1)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--db", str(db), "--port", str(port)]) == 1
    assert "try --port" in capsys.readouterr().err
