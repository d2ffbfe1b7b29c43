"""Binary COPY data made by ``shailoo._speedups.copy_rows`` is what psycopg makes of the same
rows, and :func:`rows_from_copy` reads it back; bad values are refused, not stored."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from psycopg.adapt import Transformer
from psycopg.pq import Format

from shailoo import speedups
from shailoo.domain.errors import LedgerError
from shailoo.ledger.binary_copy import EVENT_KINDS, rows_from_copy
from shailoo.ledger.postgres import EVENT_TYPES

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
ROW = st.tuples(
    st.none() | TEXT,
    st.integers(-(2**63), 2**63 - 1),
    *([st.none() | TEXT] * 8),
)


def _oids() -> tuple[int, ...]:
    """The type oids of the ledger columns, as psycopg knows them."""
    from psycopg.postgres import types

    return tuple(types[name].oid for name in EVENT_TYPES)


EVENT_TYPE_OIDS = _oids()


def psycopg_binary(rows: list[tuple[Any, ...]]) -> bytes:
    """The tuples psycopg's own binary COPY writes for ``rows`` (signature and trailer cut)."""
    from psycopg._copy_base import BinaryFormatter

    tx = Transformer()
    tx.set_dumper_types(list(EVENT_TYPE_OIDS), Format.BINARY)
    formatter = BinaryFormatter(tx)
    out = b"".join(bytes(formatter.write_row(r)) for r in rows) + bytes(formatter.end())
    return out[19:-2]  # 11-byte signature + 8 bytes of flags and extension; 2-byte trailer


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(ROW, max_size=5))
def test_copy_rows_equals_psycopg_and_reads_back(rows: list[tuple[Any, ...]]) -> None:
    assert speedups.native is not None
    data = speedups.native.copy_rows(rows, EVENT_KINDS)
    assert data == psycopg_binary(rows)
    assert rows_from_copy(data) == rows


@pytest.mark.parametrize(
    "row, error",
    [
        (("e", "1", "k", "a", "t", "p", "h", "{}", "s", "o"), TypeError),  # seq not an int
        (("e", 1, "k", "a", "t", "p", "h", "{}", 7, "o"), TypeError),  # station not a str
        (("e", 2**63, "k", "a", "t", "p", "h", "{}", "s", "o"), OverflowError),
        (("e", 1, "k"), TypeError),  # too few values
        (("e", 1, "k", "a", "t", "p", "h", "{}", "s\ud800", "o"), UnicodeEncodeError),
    ],
)
def test_copy_rows_refuses_values_of_the_wrong_type(row: tuple[Any, ...], error: type) -> None:
    assert speedups.native is not None
    with pytest.raises(error):
        speedups.native.copy_rows([row], EVENT_KINDS)


def test_rows_from_copy_refuses_broken_data() -> None:
    assert speedups.native is not None
    data = speedups.native.copy_rows(
        [("e", 1, "k", "a", "t", "p", "h", "{}", "s", None)], EVENT_KINDS
    )
    assert rows_from_copy(data) == [("e", 1, "k", "a", "t", "p", "h", "{}", "s", None)]
    with pytest.raises(LedgerError, match="truncated"):
        rows_from_copy(data[:-3])
    with pytest.raises(LedgerError, match="fields"):
        rows_from_copy(data, EVENT_KINDS[:-1])


@settings(max_examples=200, deadline=None)
@given(
    items=st.lists(
        st.tuples(
            st.sampled_from(["protocol.recorded", "protocol.corrected"]),
            TEXT.filter(lambda t: "\x00" not in t),
            TEXT.filter(bool),
            TEXT.filter(bool),
        ),
        max_size=5,
    ),
    author=TEXT.filter(bool),
    head_seq=st.integers(0, 2**40),
    head_hash=st.sampled_from(["0" * 64, "ab" * 32, "x", "é"]),
)
def test_chain_copy_equals_the_rows_chained_then_copied(
    items: list[tuple[str, str, str, str]], author: str, head_seq: int, head_hash: str
) -> None:
    """The parser process's packing (chain and write COPY data in one pass) gives the bytes
    of chaining the rows and writing them, and the head of the last row."""
    from shailoo.ledger.store import chain_protocol_copy, chain_protocol_rows

    assert speedups.native is not None
    rows = chain_protocol_rows("e", author, "2026-11-28T00:00:00Z", head_seq, head_hash, items)
    data, head = chain_protocol_copy(
        "e", author, "2026-11-28T00:00:00Z", head_seq, head_hash, items
    )
    assert data == speedups.native.copy_rows(rows, EVENT_KINDS)
    assert head == ((rows[-1][1], rows[-1][6]) if rows else (head_seq, head_hash))


@pytest.mark.parametrize(
    "item, message",
    [
        (("election.defined", "{}", "s1", "official"), "is not a protocol event kind"),
        (("protocol.recorded", "{}", "", "official"), "needs a station and a source"),
    ],
)
def test_chain_copy_refuses_as_the_rows_do(item: tuple[str, ...], message: str) -> None:
    from shailoo.ledger.store import chain_protocol_copy

    with pytest.raises(LedgerError, match=message):
        chain_protocol_copy("e", "a", "t", 0, "0" * 64, [item])
