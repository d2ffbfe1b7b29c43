"""The ledger as JSON Lines, and its verification without a database.

Line 1 is a header ``{"format": "shailoo-ledger", "version": 1, "election_id", "public_key",
"exported_at"}``; then one ``{"type": "checkpoint", ...}`` line per signed checkpoint; then one
``{"type": "event", "seq", "election_id", "kind", "author", "recorded_at", "prev_hash", "hash",
"payload"}`` line per event in order. Each event line holds exactly what the hash covers, so the
file can be checked by anyone (``shailoo verify --file``, or the recipe in ``docs/ledger.md``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

from shailoo.domain.errors import InputError
from shailoo.ledger.encoding import canonical_json
from shailoo.ledger.store import Checkpoint, Store, utc_now
from shailoo.ledger.verify import VerifyReport, verify_rows

FORMAT = "shailoo-ledger"


def export_jsonl(store: Store, election_id: str, out: IO[str]) -> int:
    """Write the election's ledger to ``out``; return the number of events written."""
    first = store.first_event(election_id)
    public_key = first.payload.get("public_key") if first else None
    header = {
        "format": FORMAT,
        "version": 1,
        "election_id": election_id,
        "public_key": public_key,
        "exported_at": utc_now(),
    }
    out.write(canonical_json(header) + "\n")
    for cp in store.checkpoints(election_id):
        line = {"type": "checkpoint", **cp.__dict__}
        out.write(canonical_json(line) + "\n")
    n = 0
    for row in store.event_rows(election_id):
        eid, seq, kind, author, recorded_at, prev_hash, hash_, payload = row[:8]
        line = {
            "type": "event",
            "election_id": eid,
            "seq": int(seq),
            "kind": kind,
            "author": author,
            "recorded_at": recorded_at,
            "prev_hash": prev_hash,
            "hash": hash_,
            "payload": json.loads(payload),
        }
        out.write(canonical_json(line) + "\n")
        n += 1
    return n


def export_to_file(store: Store, election_id: str, out: Path) -> int:
    """Write the election's ledger to the file ``out`` (replaced whole, or left untouched).

    The events go to ``<out>.part`` first and are renamed over ``out`` at the end, so a reader
    never sees half a ledger. A folder as ``out`` is refused before anything is written, and
    the ``.part`` file is removed whatever stops the export (a rename onto a folder, a full
    disk, Ctrl-C), so no partial file is left behind.
    """
    if out.is_dir():
        raise InputError(
            "is a directory; give a file name for the ledger export, e.g. "
            f"{out / (election_id + '.ledger.jsonl')}",
            file=str(out),
            rule="output-is-directory",
        )
    tmp = out.with_name(out.name + ".part")
    fh = tmp.open("w", encoding="utf-8")  # fails before anything exists to clean up
    try:
        with fh:
            n = export_jsonl(store, election_id, fh)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def verify_file(
    path: Path, trusted_key: str | None = None, noted: Mapping[int, str] | None = None
) -> VerifyReport:
    """Verify an exported ledger file without any database (``noted``: see
    :func:`~shailoo.ledger.verify.verify_rows`)."""
    try:
        fh = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read the ledger file: {exc}", file=str(path)) from exc
    with fh:
        try:
            header = json.loads(fh.readline())
        except ValueError as exc:
            raise InputError("line 1 is not JSON", file=str(path), line=1) from exc
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise InputError(
                f"not a Shailoo ledger export (line 1 lacks format {FORMAT!r})",
                file=str(path),
                line=1,
            )
        election_id = str(header.get("election_id"))
        checkpoints: list[Checkpoint] = []
        pending: list[dict[str, Any]] = []
        lineno = 1
        for text in fh:
            lineno += 1
            obj = _parse(text, path, lineno)
            if obj.get("type") == "checkpoint":
                checkpoints.append(_checkpoint(obj, path, lineno))
                continue
            pending.append(obj)
            break

        def rows() -> Iterator[tuple[Any, ...]]:
            nonlocal lineno
            for obj in pending:
                yield _row(obj, path, lineno)
            for text in fh:
                lineno += 1
                yield _row(_parse(text, path, lineno), path, lineno)

        return verify_rows(election_id, rows(), checkpoints, trusted_key, noted=noted)


def _parse(text: str, path: Path, lineno: int) -> dict[str, Any]:
    try:
        obj = json.loads(text)
    except ValueError as exc:
        raise InputError(f"not JSON ({exc})", file=str(path), line=lineno) from exc
    if not isinstance(obj, dict):
        raise InputError("not a JSON object", file=str(path), line=lineno)
    return obj


def _checkpoint(obj: dict[str, Any], path: Path, lineno: int) -> Checkpoint:
    try:
        return Checkpoint(
            str(obj["election_id"]),
            int(obj["seq"]),
            str(obj["hash"]),
            str(obj["signed_at"]),
            str(obj["public_key"]),
            str(obj["signature"]),
        )
    except KeyError as exc:
        raise InputError(f"checkpoint lacks {exc}", file=str(path), line=lineno) from exc


def _row(obj: dict[str, Any], path: Path, lineno: int) -> tuple[Any, ...]:
    if obj.get("type") != "event":
        raise InputError("expected an event line", file=str(path), line=lineno)
    try:
        return (
            obj["election_id"],
            obj["seq"],
            obj["kind"],
            obj["author"],
            obj["recorded_at"],
            obj["prev_hash"],
            obj["hash"],
            json.dumps(obj["payload"], ensure_ascii=False),
        )
    except KeyError as exc:
        raise InputError(f"event lacks {exc}", file=str(path), line=lineno) from exc
