"""The readers this QA pass hardened never raise anything but InputError, whatever the bytes.

Property tests (hypothesis): arbitrary bytes, and CSV-shaped text with hostile cells, given to
the observer lower-bounds reader, the Belarus Voice reader and the risk-scores reader either
parse or raise :class:`InputError` naming the file; never a UnicodeDecodeError, KeyError or
ValueError that would reach the user as a traceback.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shailoo.domain.errors import InputError
from shailoo.io.belarus import read_voice
from shailoo.observe.bounds_file import read_lower_bounds
from shailoo.observe.view import risk_from_scores

CELLS = st.one_of(
    st.integers(-5, 10**25).map(str),
    st.sampled_from(["", " ", "1e3", "1,234", "x", "0x10", "NaN", "-0", "٣"]),
    st.text(max_size=6),
)


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    lines = [",".join(header)] + [",".join(cell(c) for c in r) for r in rows]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def _only_input_errors(read: Callable[[Path], Any], content: bytes, suffix: str = ".csv") -> None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / f"input{suffix}"
        path.write_bytes(content)
        try:
            read(path)
        except InputError as exc:
            assert exc.file is not None and str(path) in str(exc)


def _voice(path: Path) -> list[Any]:
    return list(read_voice(path))


READERS: list[Callable[[Path], Any]] = [
    read_lower_bounds,
    _voice,
    lambda p: risk_from_scores(p, "0001"),
]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_as_input(content: bytes) -> None:
    for read in READERS:
        _only_input_errors(read, content)


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=2, max_size=2), max_size=5))
def test_hostile_cells_are_read_or_refused_as_input(rows: list[list[str]]) -> None:
    _only_input_errors(read_lower_bounds, _csv(["station", "A"], rows))
    _only_input_errors(lambda p: risk_from_scores(p, "0001"), _csv(["station", "risk"], rows))
    voice = _csv(["id", "tihanovkaja_officialVotes"], rows)
    _only_input_errors(_voice, voice)
    _only_input_errors(_voice, gzip.compress(voice), suffix=".csv.gz")
