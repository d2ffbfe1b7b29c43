"""``shailoo export -o FOLDER`` (QA, issue 3): refused before anything is written, and no
``.part`` file is ever left behind; an existing export is replaced whole or not at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.cli import main
from shailoo.domain.errors import InputError
from shailoo.domain.model import Party, Station
from shailoo.intake import create_election
from shailoo.ledger import open_store
from shailoo.ledger.export import export_to_file, verify_file


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "kg.db"
    with open_store(str(path)) as store:
        create_election(
            store,
            law="kg-2020",
            parties=(Party("a", "A"), Party("b", "B")),
            stations=(Station("1", "R", "D", 100),),
            author="cec",
            election_id="e",
        )
    return path


def test_cli_export_to_a_folder_exits_2_and_leaves_nothing(
    tmp_path: Path, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert main(["export", "--db", str(db), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "is a directory" in err and "[output-is-directory]" in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out.part").exists() and list(out.iterdir()) == []


def test_export_to_file_replaces_whole_and_cleans_up(tmp_path: Path, db: Path) -> None:
    out = tmp_path / "l.jsonl"
    with open_store(str(db), must_exist=True) as store:
        assert export_to_file(store, "e", out) == 1
        assert verify_file(out).ok
        with pytest.raises(InputError):
            export_to_file(store, "e", tmp_path)
    # a failure after the .part file was opened (here: the store is closed, so the first read
    # fails) leaves no .part file and the earlier export as it was
    with pytest.raises(Exception):  # noqa: B017 - whatever the driver raises
        export_to_file(store, "e", out)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    assert verify_file(out).ok
