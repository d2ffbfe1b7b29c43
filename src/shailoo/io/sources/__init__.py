"""Readers for real polling-station data (see ``../shared/data/README.md``).

Each reader turns one published source into a :class:`~shailoo.forensics.table.StationTable`
with the definitions of Kobak, Shpilkin and Pshenichnikov (2016): turnout = ballots issued /
registered, shares over the ballots found in the boxes. :func:`read_source` dispatches by name;
:func:`read_mapped` reads any CSV through a ``--map`` TOML file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from shailoo.domain.errors import InputError
from shailoo.forensics.table import StationTable
from shailoo.io.sources.bulgaria import read_bulgaria
from shailoo.io.sources.georgia import read_georgia
from shailoo.io.sources.mapping import read_mapped
from shailoo.io.sources.russia import read_russia
from shailoo.io.sources.uganda import read_uganda

READERS: dict[str, Callable[[str | Path], StationTable]] = {
    "russia": read_russia,
    "bulgaria": read_bulgaria,
    "georgia": read_georgia,
    "uganda": read_uganda,
}


def read_source(name: str, path: str | Path) -> StationTable:
    """Read ``path`` with the reader of source ``name`` (russia, bulgaria, georgia, uganda)."""
    try:
        reader = READERS[name]
    except KeyError:
        raise InputError(
            f"unknown source {name!r}; known: {', '.join(READERS)}",
            column="--source",
            rule="unknown-source",
        ) from None
    return reader(path)


__all__ = [
    "READERS",
    "read_bulgaria",
    "read_georgia",
    "read_mapped",
    "read_russia",
    "read_source",
    "read_uganda",
]
