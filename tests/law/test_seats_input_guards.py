"""Guards on `shailoo seats` input found by QA: totals beyond the ballots cast, a law file that
is not text, a mistyped database path."""

from __future__ import annotations

from pathlib import Path

import pytest

from shailoo.cli import main


def test_party_votes_above_ballots_cast_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    f = tmp_path / "r.csv"
    f.write_text("registered,ballots_cast,invalid,against_all,A,B\n1000,800,10,5,600,285\n")
    assert main(["seats", "kg-2020", str(f)]) == 2
    err = capsys.readouterr().err
    assert "r.csv:2" in err and "exceeds-ballots-cast" in err and "party_votes=885" in err


def test_totals_equal_to_ballots_cast_pass(tmp_path: Path) -> None:
    f = tmp_path / "r.csv"
    f.write_text("registered,ballots_cast,invalid,against_all,A,B\n1000,900,10,5,600,285\n")
    assert main(["seats", "kg-2020", str(f), "--json"]) == 0


def test_binary_law_file_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    law = tmp_path / "law.toml"
    law.write_bytes(b"\xff\xfe\x00\x81garbage\x9c")
    f = tmp_path / "r.csv"
    f.write_text("ballots_cast,A\n10,10\n")
    assert main(["seats", str(law), str(f)]) == 2
    err = capsys.readouterr().err
    assert "law.toml" in err and "UTF-8" in err and "Traceback" not in err


def test_seats_db_does_not_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    assert main(["seats", "--db", str(db)]) == 2
    assert not db.exists()


def test_forensics_db_does_not_create_a_database(tmp_path: Path) -> None:
    db = tmp_path / "typo.db"
    assert main(["forensics", "--db", str(db)]) == 2
    assert not db.exists()


def test_simulate_refuses_negative_district_counts(tmp_path: Path) -> None:
    assert main(["simulate", str(tmp_path / "out"), "--vote-buying", "-1"]) == 2
    assert not (tmp_path / "out").exists()
