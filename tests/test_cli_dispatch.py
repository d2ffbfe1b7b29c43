"""The command line imports only the module of the command it runs."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shailoo.cli import build_parser


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
