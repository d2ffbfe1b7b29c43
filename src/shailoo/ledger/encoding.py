"""The canonical encoding of a ledger event and its SHA-256 chain hash.

The exact rules are in ``docs/ledger.md`` so that a program in another language can recompute
every hash. In short: the event is the JSON object with exactly the keys ``author``,
``election_id``, ``kind``, ``payload``, ``prev_hash``, ``recorded_at``, ``seq`` and ``v``; keys are
sorted by Unicode code point at every level, there is no whitespace, strings are not ASCII-escaped,
numbers are integers only; the bytes are UTF-8 and the hash is the lowercase hex SHA-256 of them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any, Final

from shailoo.domain.errors import LedgerError

#: version of the encoding, part of every hashed event
ENCODING_VERSION: Final = 1
#: ``prev_hash`` of the first event of every election
GENESIS_HASH: Final = "0" * 64

_encoder = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
json_string = json.JSONEncoder(ensure_ascii=False).encode


def _check(value: Any, path: str) -> None:
    """Refuse values the canonical encoding cannot hold exactly (floats, non-string keys)."""
    if value is None or isinstance(value, str | bool | int):
        return
    if isinstance(value, float):
        raise LedgerError(f"payload value at {path} is a float ({value!r}); use integers")
    if isinstance(value, Mapping):
        for k, v in value.items():
            if not isinstance(k, str):
                raise LedgerError(f"payload key {k!r} at {path} is not a string")
            _check(v, f"{path}.{k}")
        return
    if isinstance(value, list | tuple):
        for i, v in enumerate(value):
            _check(v, f"{path}[{i}]")
        return
    raise LedgerError(f"payload value at {path} has type {type(value).__name__}, not JSON")


def canonical_json(value: Any, *, checked: bool = False) -> str:
    """Return ``value`` as canonical JSON text (sorted keys, no whitespace, no floats).

    ``checked=True`` skips the type walk when the caller built the value from known types.
    """
    if not checked:
        _check(value, "$")
    return _encoder.encode(value)


def event_text_front(election_id: str, kind: str, author: str) -> str:
    """The start of :func:`event_text`, up to the payload: the same for every event of one
    kind by one author, so a batch append encodes it once."""
    return (
        '{"author":'
        + json_string(author)
        + ',"election_id":'
        + json_string(election_id)
        + ',"kind":'
        + json_string(kind)
        + ',"payload":'
    )


def event_text(
    *,
    election_id: str,
    seq: int,
    kind: str,
    author: str,
    recorded_at: str,
    prev_hash: str,
    payload_json: str,
) -> str:
    """The canonical JSON text of one event, given its payload already in canonical JSON.

    Built by concatenation in the sorted key order; equal to ``canonical_json`` of the whole
    object (a test asserts this), but avoids re-encoding the payload in the import loop.
    """
    return (
        event_text_front(election_id, kind, author)
        + payload_json
        + ',"prev_hash":'
        + json_string(prev_hash)
        + ',"recorded_at":'
        + json_string(recorded_at)
        + ',"seq":'
        + str(int(seq))
        + ',"v":'
        + str(ENCODING_VERSION)
        + "}"
    )


def event_hash(
    *,
    election_id: str,
    seq: int,
    kind: str,
    author: str,
    recorded_at: str,
    prev_hash: str,
    payload: Mapping[str, Any] | None = None,
    payload_json: str | None = None,
) -> str:
    """SHA-256 (lowercase hex) of the event's canonical UTF-8 bytes."""
    if payload_json is None:
        payload_json = canonical_json(dict(payload or {}))
    text = event_text(
        election_id=election_id,
        seq=seq,
        kind=kind,
        author=author,
        recorded_at=recorded_at,
        prev_hash=prev_hash,
        payload_json=payload_json,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
