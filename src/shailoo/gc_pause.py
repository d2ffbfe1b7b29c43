"""Pausing Python's cycle collector while bulk work allocates many acyclic objects.

A national import or tally rebuild allocates hundreds of thousands of small objects (rows,
tuples, payload strings, per-station values), none in a reference cycle. Each burst of
allocations makes the cycle collector walk the young objects again, and now and then all of
them: 10-20 % of the work (timed in bench/ingest.py and bench/tally.py). Reference counting
still frees everything while the collector is paused.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Disable the cycle collector for the ``with`` block; restore its previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
