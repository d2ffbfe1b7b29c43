"""Every sub-command has help text that ends with an example."""

from __future__ import annotations

import argparse

import pytest

from shailoo.cli import build_parser, main


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_there_are_commands() -> None:
    assert _subcommands(), "no sub-command registered"


@pytest.mark.parametrize("name", sorted(_subcommands()))
def test_command_help_has_example(name: str) -> None:
    sub = _subcommands()[name]
    text = sub.format_help()
    assert "Example" in text and "shailoo " + name in text, text
    assert sub.description, f"{name} has no description"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().out
