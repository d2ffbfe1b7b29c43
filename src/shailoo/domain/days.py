"""Calendar days as the ledger writes them (``YYYY-MM-DD``)."""

from __future__ import annotations

import datetime as dt

from shailoo.domain.errors import InputError


def calendar_day(text: str, what: str) -> str:
    """``text`` as ``YYYY-MM-DD`` if it is a real calendar date, else an :class:`InputError`
    naming ``what`` it was meant to be (2020-02-31 is refused)."""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise InputError(
            f"{what} must be a calendar date YYYY-MM-DD",
            column="date",
            rule="date",
            values={"date": text},
        ) from None
