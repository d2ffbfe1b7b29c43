"""Which implementation runs a national import's per-row loops: C or Python.

``shailoo._speedups`` (``src/shailoo/_speedups.c``) holds the loops that dominate a large
import: a clean CSV row to its payload JSON (:meth:`shailoo.intake.bulk.ElectionTable.quick_row`),
the SHA-256 chain of a batch of protocol events (:func:`shailoo.ledger.store.chain_protocol_rows`)
and PostgreSQL's binary COPY data; and those of a tally rebuild (the counts of canonical payload
texts, the matrix of decoded ones: :mod:`shailoo.tally.projection`). ``pip install`` builds it where a C compiler
and OpenSSL's headers exist (``setup.py``; ``scripts/setup`` installs both on Debian). Without it
the same loops run in Python and give the same rows, only slower (tests/intake/test_speedups.py
compares the two). ``SHAILOO_PURE_PYTHON=1`` in the environment turns the C module off.
"""

from __future__ import annotations

import os
from types import ModuleType


def load_native() -> ModuleType | None:
    """The C module, or None when it is not built or ``SHAILOO_PURE_PYTHON`` is set."""
    if os.environ.get("SHAILOO_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from shailoo import _speedups  # type: ignore[attr-defined]

        module: ModuleType = _speedups
    except ImportError:
        return None
    return module


#: the C module in use (None: Python); read at each use, so a test may set it
native: ModuleType | None = load_native()


def describe() -> str:
    """One line for a user: which implementation an import uses."""
    if native is not None:
        return "C (shailoo._speedups)"
    if os.environ.get("SHAILOO_PURE_PYTHON", "") not in ("", "0"):
        return "Python (SHAILOO_PURE_PYTHON is set)"
    return "Python (shailoo._speedups is not built: see setup.py)"
