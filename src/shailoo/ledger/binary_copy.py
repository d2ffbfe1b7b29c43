"""Ledger rows in PostgreSQL's binary ``COPY`` format, without psycopg.

The importer's parser process chains a batch and hands it to the writing process as one bytes
value in this format (:func:`shailoo._speedups.copy_rows` writes it), which the PostgreSQL store
sends as it is (:meth:`shailoo.ledger.postgres.PostgresStore._insert_packed`): one value pickles
and crosses the pipe at memory speed, where 10,000 row tuples cost more than chaining them.
:func:`rows_from_copy` reads it back, for a batch that must be recorded the ordinary way after all.

The format (PostgreSQL documentation, "COPY", binary format): per row a 16-bit field count, then
per field a 32-bit length (-1 for NULL) and the bytes; integers big-endian, ``int8`` as 8 bytes,
``text`` as its UTF-8. A whole stream starts with :data:`SIGNATURE` and ends with
:data:`TRAILER`.
"""

from __future__ import annotations

import struct
from typing import Any

from shailoo.domain.errors import LedgerError
from shailoo.ledger.store import COLUMNS

#: one letter per ledger column for ``copy_rows``: ``q`` int8 (seq), ``t`` text
EVENT_KINDS = "".join("q" if c == "seq" else "t" for c in COLUMNS)
#: the header of a binary COPY stream: signature, flags (none), header extension length (0)
SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
#: the end of a binary COPY stream: a field count of -1
TRAILER = b"\xff\xff"

_count = struct.Struct(">h")
_length = struct.Struct(">i")
_int8 = struct.Struct(">q")


def rows_from_copy(data: bytes, kinds: str = EVENT_KINDS) -> list[tuple[Any, ...]]:
    """The rows of binary COPY tuples ``data`` (no signature or trailer), columns per ``kinds``."""
    rows: list[tuple[Any, ...]] = []
    at, end = 0, len(data)
    try:
        while at < end:
            (width,) = _count.unpack_from(data, at)
            at += 2
            if width != len(kinds):
                raise LedgerError(f"a COPY row has {width} fields, not {len(kinds)}")
            row: list[Any] = []
            for kind in kinds:
                (n,) = _length.unpack_from(data, at)
                at += 4
                if n < 0:
                    row.append(None)
                elif kind == "q":
                    row.append(_int8.unpack_from(data, at)[0])
                    at += n
                else:
                    row.append(data[at : at + n].decode("utf-8"))
                    at += n
            rows.append(tuple(row))
    except struct.error as exc:
        raise LedgerError(f"truncated COPY data at byte {at}: {exc}") from exc
    if at != end:
        raise LedgerError(f"COPY data runs past its end (byte {at} of {end})")
    return rows
