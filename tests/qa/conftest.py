"""A small simulated election set up through the command line, as a new user would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shailoo.cli import main


@pytest.fixture(scope="session")
def qa_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """parties.csv, stations.csv and protocols.csv of a 120-station simulated election."""
    out = tmp_path_factory.mktemp("qa-sim")
    assert main(["simulate", str(out), "--stations", "120", "--seed", "7", "--quiet"]) == 0
    return out


@pytest.fixture(scope="session")
def qa_db_template(qa_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An election with every protocol imported (built once, copied per test)."""
    db = tmp_path_factory.mktemp("qa-db") / "kg.db"
    args = [
        "--parties",
        str(qa_files / "parties.csv"),
        "--stations",
        str(qa_files / "stations.csv"),
    ]
    assert main(["init", "--db", str(db), "--law", "kg-2020", *args, "--date", "2020-10-04"]) == 0
    assert main(["import", "--db", str(db), "--quiet", str(qa_files / "protocols.csv")]) == 0
    return db


@pytest.fixture()
def qa_db(qa_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the imported election (with its commission key)."""
    db = tmp_path / "kg.db"
    shutil.copy(qa_db_template, db)
    shutil.copy(f"{qa_db_template}.key", f"{db}.key")
    return db
