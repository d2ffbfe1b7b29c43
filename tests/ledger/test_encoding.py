"""The canonical encoding: a fixed vector, and an independent re-implementation of docs/ledger.md.

``independent_hash`` below is written from the documentation only (it does not import the ledger
and does not use ``json.dumps``' sorting), so agreement shows the doc is enough to recompute.
"""

from __future__ import annotations

import hashlib
import json

from hypothesis import given
from hypothesis import strategies as st

from shailoo.ledger.encoding import canonical_json, event_hash, event_text

VECTOR_HASH = "9e6df89dfaeed58d8754f8ce34f3b990fbc49e2e374f5ebda1410ec22de1dd7e"
VECTOR_PAYLOAD = {
    "station": "5101",
    "source": "official",
    "votes": {"ata-jurt": 120, "birimdik": 95},
    "warnings": [],
    "reason": None,
    "ok": True,
}
VECTOR = {
    "election_id": "kg-2020",
    "seq": 2,
    "kind": "protocol.recorded",
    "author": "Айгүл",
    "recorded_at": "2020-10-04T18:00:00.000000Z",
    "prev_hash": "0" * 64,
}

_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: object) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ",".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: [ord(c) for c in k])  # by code point
        return "{" + ",".join(_string(k) + ":" + _value(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def independent_hash(fields: dict[str, object], payload: dict[str, object]) -> str:
    """docs/ledger.md, step by step: the eight keys, sorted, no whitespace, UTF-8, SHA-256."""
    obj = dict(fields, payload=payload, v=1)
    return hashlib.sha256(_value(obj).encode("utf-8")).hexdigest()


def test_fixed_vector() -> None:
    assert event_hash(**VECTOR, payload=VECTOR_PAYLOAD) == VECTOR_HASH  # type: ignore[arg-type]
    assert independent_hash(VECTOR, VECTOR_PAYLOAD) == VECTOR_HASH


def test_vector_text_is_the_documented_one() -> None:
    text = event_text(**VECTOR, payload_json=canonical_json(VECTOR_PAYLOAD))  # type: ignore[arg-type]
    assert text.startswith('{"author":"Айгүл","election_id":"kg-2020"')
    assert text.endswith('"seq":2,"v":1}')
    assert " " not in text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(
    payload=st.dictionaries(st.text(), json_values, max_size=6),
    author=st.text(min_size=1),
    seq=st.integers(1, 10**9),
    kind=st.sampled_from(["protocol.recorded", "decision.made"]),
)
def test_independent_implementation_agrees(
    payload: dict[str, object], author: str, seq: int, kind: str
) -> None:
    fields = dict(VECTOR, author=author, seq=seq, kind=kind)
    ours = event_hash(**fields, payload=payload)  # type: ignore[arg-type]
    assert ours == independent_hash(fields, payload)
    # the concatenated event text equals encoding the whole object at once
    whole = json.dumps(
        dict(fields, payload=payload, v=1),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert event_text(**fields, payload_json=canonical_json(payload)) == whole  # type: ignore[arg-type]


def test_floats_are_refused() -> None:
    import pytest

    from shailoo.domain.errors import LedgerError

    with pytest.raises(LedgerError, match="float"):
        canonical_json({"turnout": 0.5})
