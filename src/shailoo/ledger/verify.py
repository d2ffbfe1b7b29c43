"""Recompute an election's chain and checkpoint signatures and name the first bad event."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm import tqdm

from shailoo.domain.errors import LedgerError
from shailoo.domain.events import ELECTION_DEFINED
from shailoo.ledger.encoding import GENESIS_HASH, canonical_json, event_hash
from shailoo.ledger.signing import signature_holds
from shailoo.ledger.store import PROTOCOL_KINDS, Checkpoint, Store


@dataclass
class VerifyReport:
    """What verification found for one election.

    ``ok`` is True only if every event re-hashes to its stored hash, every ``prev_hash`` links to
    the event before, sequence numbers run 1, 2, 3, … and every checkpoint names an existing
    event's hash and carries a valid signature by the election's commission key.
    """

    election_id: str
    events: int = 0
    checkpoints: int = 0
    signed_through: int = 0
    public_key: str | None = None
    first_bad_seq: int | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True if nothing is wrong."""
        return not self.problems

    def summary(self) -> str:
        """One or two lines for the screen."""
        if self.ok:
            tail = self.events - self.signed_through
            note = f"; {tail} event(s) after the last signed checkpoint" if tail else ""
            return (
                f"{self.election_id}: OK — {self.events} events chained, "
                f"{self.checkpoints} signed checkpoint(s) valid{note}"
            )
        return f"{self.election_id}: FAILED — " + "; ".join(self.problems)


def _fail(report: VerifyReport, seq: int | None, message: str) -> VerifyReport:
    if report.first_bad_seq is None and seq is not None:
        report.first_bad_seq = seq
    report.problems.append(message)
    return report


def verify_rows(
    election_id: str,
    rows: Iterable[Sequence[Any]],
    checkpoints: Sequence[Checkpoint],
    trusted_key: str | None = None,
    heads: dict[tuple[str, str], int] | None = None,
    noted: Mapping[int, str] | None = None,
) -> VerifyReport:
    """Verify rows in :data:`shailoo.ledger.store.COLUMNS` order (payload as JSON text).

    Stops at the first bad event and names it. ``trusted_key`` (hex), when given, must equal
    the key recorded in the election's ``election.defined`` event. ``heads``, when given, is
    filled with the newest protocol ``seq`` per ``(station, source)``. ``noted`` maps seq to
    the hash someone noted for that event earlier (a head the public site showed, an older
    export): each must still be there with that hash. Events after the last signed
    checkpoint are chained but not signed; a noted head is what shows that none of them was
    deleted or rewritten since it was noted.
    """
    report = VerifyReport(election_id)
    noted = dict(noted or {})
    cp_by_seq: dict[int, list[Checkpoint]] = {}
    for cp in checkpoints:
        cp_by_seq.setdefault(cp.seq, []).append(cp)
    expected_seq, prev = 1, GENESIS_HASH
    for row in rows:
        eid, seq, kind, author, recorded_at, prev_hash, stored_hash, payload_text = row[:8]
        where = f"event {seq} ({kind})"
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "repeated or out of order"
            return _fail(report, expected_seq, f"event {expected_seq} is {what} (found {seq} next)")
        if eid != election_id:
            return _fail(report, seq, f"{where} belongs to election {eid!r}")
        try:
            payload = json.loads(payload_text)
            payload_json = canonical_json(payload)
        except (ValueError, LedgerError) as exc:
            return _fail(report, seq, f"{where}: payload is not canonical JSON ({exc})")
        if prev_hash != prev:
            return _fail(
                report, seq, f"{where}: prev_hash does not match the hash of event {seq - 1}"
            )
        recomputed = event_hash(
            election_id=eid,
            seq=seq,
            kind=kind,
            author=author,
            recorded_at=recorded_at,
            prev_hash=prev_hash,
            payload_json=payload_json,
        )
        if recomputed != stored_hash:
            return _fail(report, seq, f"{where}: content does not match its hash (edited)")
        if seq == 1:
            if kind != ELECTION_DEFINED or payload.get("election_id") != election_id:
                return _fail(report, 1, "event 1 is not this election's election.defined")
            report.public_key = payload.get("public_key")
        elif kind == ELECTION_DEFINED:
            return _fail(report, seq, f"{where}: a second election.defined")
        # the indexed station/source columns are not hashed; they must mirror the payload
        index = (
            (payload.get("station"), payload.get("source"))
            if kind in PROTOCOL_KINDS
            else (None, None)
        )
        if len(row) >= 10 and (row[8], row[9]) != index:
            return _fail(report, seq, f"{where}: station/source index columns were edited")
        if heads is not None and kind in PROTOCOL_KINDS:
            heads[(payload.get("station"), payload.get("source"))] = seq
        expected = noted.pop(seq, None)
        if expected is not None and expected.lower() != stored_hash:
            return _fail(report, seq, f"{where} is not the event noted with hash {expected}")
        for cp in cp_by_seq.pop(seq, ()):
            if cp.hash != stored_hash:
                return _fail(report, seq, f"checkpoint at {where} signed another hash")
            if report.public_key is None or not signature_holds(cp, report.public_key):
                return _fail(report, seq, f"checkpoint at {where}: signature does not verify")
            report.checkpoints += 1
            report.signed_through = seq
        prev = stored_hash
        expected_seq += 1
        report.events += 1
    if cp_by_seq:
        missing = min(cp_by_seq)
        return _fail(
            report,
            missing,
            f"a signed checkpoint covers event {missing}, which is missing (events deleted)",
        )
    if noted:
        missing = min(noted)
        return _fail(
            report,
            missing,
            f"event {missing}, noted with hash {noted[missing]}, is missing (events deleted)",
        )
    if report.events == 0:
        return _fail(report, None, "the election has no events")
    if trusted_key is not None and report.public_key != trusted_key:
        return _fail(report, 1, "the ledger's commission key is not the trusted public key")
    return report


def verify_store(
    store: Store,
    election_id: str | None = None,
    trusted_key: str | None = None,
    *,
    progress: bool = False,
    noted: Mapping[int, str] | None = None,
) -> list[VerifyReport]:
    """Verify one election, or every election in the store (creation order).

    ``progress`` shows a bar on stderr (a national ledger takes a while to re-hash).
    ``noted`` (see :func:`verify_rows`) needs ``election_id``.
    """
    if noted and not election_id:
        raise ValueError("noted heads belong to one election: give election_id")
    ids = [election_id] if election_id else store.elections()
    reports = []
    for eid in ids:
        heads: dict[tuple[str, str], int] = {}
        rows = tqdm(
            store.event_rows(eid),
            total=store.count(eid),
            disable=not progress,
            file=sys.stderr,
            unit="event",
            desc=f"verify {eid}",
            mininterval=0.5,
            leave=False,
        )
        report = verify_rows(eid, rows, store.checkpoints(eid), trusted_key, heads, noted)
        if report.ok:
            _check_replaces(store, report)
        if report.ok:
            _check_heads(store, report, heads)
        reports.append(report)
    # events whose election is missing from the elections table would escape the loop above
    stray = store.query(
        "SELECT DISTINCT election_id FROM ledger_event WHERE election_id NOT IN "
        "(SELECT election_id FROM ledger_election)"
    )
    if election_id is None:
        for (eid,) in stray:
            reports.append(_fail(VerifyReport(eid), None, "events of an unlisted election"))
    return reports


def _check_heads(store: Store, report: VerifyReport, heads: dict[tuple[str, str], int]) -> None:
    """The look-up table of newest protocols must match the chain (it decides corrections)."""
    stored = {
        (st, src): int(seq)
        for st, src, seq in store.query(
            "SELECT station, source, seq FROM ledger_protocol_head WHERE election_id = ?",
            (report.election_id,),
        )
    }
    if stored != heads:
        wrong = sorted(set(stored.items()) ^ set(heads.items()), key=lambda kv: kv[1])
        (station, source), seq = wrong[0]
        _fail(
            report,
            heads.get((station, source), seq),
            f"the newest-protocol table disagrees with the chain for station {station!r} "
            f"({source}); it was edited",
        )


def _check_replaces(store: Store, report: VerifyReport) -> None:
    """A re-run's ``replaces.final_hash`` must be a hash in the replaced election's chain."""
    first = store.first_event(report.election_id)
    replaces = first.payload.get("replaces") if first else None
    if not isinstance(replaces, dict):
        return
    old, final = replaces.get("election_id"), replaces.get("final_hash")
    if old in store.elections() and not store.query(
        "SELECT 1 FROM ledger_event WHERE election_id = ? AND hash = ?", (old, final)
    ):
        _fail(report, 1, f"replaces.final_hash is not a hash of election {old!r}")
