"""The command line imports only the module of the command it runs."""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from shailoo.cli import build_parser, main


def _choices(command: str | None) -> set[str]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sub.choices is not None
    return set(sub.choices)


def test_a_named_command_builds_only_its_own_parser() -> None:
    assert _choices("import") == {"import"}
    assert _choices("export-results") == {"export-results"}


@pytest.mark.parametrize("first", [None, "--help", "nosuch", "impor"])
def test_anything_else_builds_every_command(first: str | None) -> None:
    choices = _choices(first)
    assert {"import", "init", "seats", "verify", "export-results"} <= choices


def test_import_does_not_load_the_law_engine_or_cryptography() -> None:
    # the national import pays only for what it uses (start-up is part of bench/ingest.py)
    code = (
        "import sys\n"
        "from shailoo.cli import main\n"
        "try:\n    main(['import', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('cryptography', 'shailoo.law'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "[]"


def test_a_small_import_without_a_key_loads_neither_cryptography_nor_multiprocessing(
    tmp_path: Path,
) -> None:
    # signing needs cryptography only when a key is found, the parser process multiprocessing
    # only for a large file (both are start-up time of every small import)
    from shailoo.intake import create_election
    from shailoo.intake.sample import sample_parties, sample_protocols, sample_stations
    from shailoo.io.canonical import write_protocols_csv
    from shailoo.ledger import open_store

    parties, stations = sample_parties(3), sample_stations(5)
    db = tmp_path / "e.db"
    with open_store(db) as store:
        create_election(store, law="kg-2020", parties=parties, stations=stations, author="t")
    ids = tuple(p.id for p in parties)
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8") as fh:
        write_protocols_csv(fh, sample_protocols(stations, ids, seed=1), ids)
    code = (
        "import sys\n"
        "from shailoo.cli import main\n"
        f"code = main(['import', '--db', {str(db)!r}, '--quiet', {str(path)!r}])\n"
        "print(code, sorted({m.split('.')[0] for m in sys.modules}"
        " & {'cryptography', 'multiprocessing'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "0 []"


def test_only_the_program_freezes_its_objects_before_exit() -> None:
    # main() of the program freezes what is alive (its exit then skips the cycle collector);
    # main(words), as tests and other programs call it, leaves the collector alone
    assert main([]) == 2
    assert gc.get_freeze_count() == 0
    code = (
        "import gc, sys\n"
        "from shailoo.cli import main\n"
        "sys.argv = ['shailoo']\n"
        "print(main(), gc.get_freeze_count() > 0)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip().splitlines()[-1] == "2 True"
