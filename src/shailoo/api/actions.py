"""The writes behind the API and the staff forms; each appends ledger events with its author.

Protocols go through :func:`shailoo.intake.record_protocols`, which runs the same checks as an
import (a correction needs a reason); incidents through :mod:`shailoo.observe` (accreditation
scope and dates); decisions through :mod:`shailoo.commission` (vote carried, basis given, nothing
annulled twice). This module only maps request bodies onto those calls.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from shailoo.api.roles import Principal
from shailoo.domain.errors import InputError, Refused
from shailoo.domain.model import Election, Protocol
from shailoo.ledger import Store

#: the sources of a protocol typed on the staff pages or sent to the API
STAFF_SOURCES = ("official", "second-entry")


def protocol_of(data: dict[str, Any], author: str | None = None) -> Protocol:
    """The :class:`Protocol` of a request body (official or second entry only)."""
    source = data.get("source") or "official"
    if source not in STAFF_SOURCES:
        # an observer's copy must pass its accreditation and scope ('shailoo observer copies')
        raise InputError(
            "staff enter the official protocol or its second entry",
            column="source",
            rule="P005",
            values={"source": source, "allowed": ", ".join(STAFF_SOURCES)},
        )
    return Protocol(
        station=data["station"],
        registered=data["registered"],
        ballots_received=data["ballots_received"],
        ballots_issued=data["ballots_issued"],
        ballots_cast=data["ballots_cast"],
        invalid=data["invalid"],
        against_all=data["against_all"],
        votes=dict(data["votes"]),
        source=source,
        entered_by=author,
        reason=data.get("reason") or None,
    )


def report_incident(
    store: Store,
    election_id: str,
    data: dict[str, Any],
    who: Principal,
    *,
    files: Sequence[Path] = (),
    evidence_dir: Path | None = None,
) -> dict[str, Any]:
    """Report an incident through :mod:`shailoo.observe` (scope and dates checked there).

    ``files`` are evidence files, stored by their SHA-256 in ``evidence_dir``; the ledger gets
    their names and hashes.
    """
    from shailoo.observe.evidence_store import EvidenceStore
    from shailoo.observe.service import report_incident as observe_report

    inc = observe_report(
        store,
        election_id,
        station=data["station"],
        category=data["category"],
        time=data["time"],
        description=data["description"],
        author=who.name,
        observer_id=who.observer_id,
        files=list(files),
        evidence=EvidenceStore(evidence_dir) if files and evidence_dir is not None else None,
    )
    head = store.head(election_id)
    assert head is not None
    return {
        "incident_id": inc.id,
        "seq": head.seq,
        "hash": head.hash,
        "evidence": [dict(e) for e in inc.evidence],
    }


def review_incident(
    store: Store, election_id: str, incident_id: str, data: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """Record the commission's status and response for an incident."""
    from shailoo.observe.service import update_incident

    inc = update_incident(
        store,
        election_id,
        incident_id,
        status=data["status"],
        response=data["response"],
        author=who.name,
    )
    head = store.head(election_id)
    assert head is not None
    return {"incident_id": inc.id, "status": inc.status, "seq": head.seq, "hash": head.hash}


def decide(store: Store, election_id: str, data: dict[str, Any], who: Principal) -> dict[str, Any]:
    """Record a decision through :mod:`shailoo.commission` (certify, annul or revoke)."""
    from shailoo.commission.decisions import LegalBasis, Vote, make_decision, revoke_decision

    basis = LegalBasis(
        article=str(data["legal_basis"].get("article") or ""),
        text=str(data["legal_basis"].get("text") or ""),
    )
    v = data["vote"]
    vote = Vote(for_=int(v["for"]), against=int(v["against"]), abstained=int(v["abstained"]))
    if data["action"] == "revoke":
        d = revoke_decision(
            store,
            election_id,
            revokes=str(data.get("revokes") or ""),
            reason=data["reason"],
            basis=basis,
            vote=vote,
            date=data["date"],
            author=who.name,
        )
    else:
        d = make_decision(
            store,
            election_id,
            action=data["action"],
            level=str(data.get("level") or ""),
            unit=str(data.get("unit") or ""),
            reason=data["reason"],
            basis=basis,
            vote=vote,
            date=data["date"],
            author=who.name,
        )
    head = store.head(election_id)
    assert head is not None
    return {"decision_id": d.decision_id, "seq": d.seq, "hash": head.hash}


def check(
    store: Store, election_id: str, data: dict[str, Any], election: Election | None = None
) -> dict[str, Any]:
    """Run the protocol checks on a typed protocol: ``{"ok", "errors", "warnings"}``.

    The same :func:`shailoo.checks.protocol.check_protocol` as an import, against the protocol
    already stored for the station and source (a differing one is a correction).
    """
    from shailoo.checks.protocol import check_protocol
    from shailoo.domain.events import protocol_from_payload

    election = election if election is not None else store.election(election_id)
    p = protocol_of(data)
    previous = None
    stored = store.latest_protocols(election_id, [p.station])
    if (p.station, p.source) in stored:
        previous = protocol_from_payload(stored[(p.station, p.source)].payload)
    return findings_dict(check_protocol(p, election, previous))


def findings_dict(findings: Iterable[Any]) -> dict[str, Any]:
    """Findings split into errors (which block) and warnings (stored and shown)."""
    errors = [f.to_dict() for f in findings if f.is_error]
    warnings = [f.to_dict() for f in findings if not f.is_error]
    return {"ok": not errors, "errors": errors, "warnings": warnings}


class ProtocolRejected(InputError):
    """The protocol breaks a control relation; ``findings`` holds every finding."""

    def __init__(self, findings: list[Any]) -> None:
        errs = [f for f in findings if f.is_error]
        first = errs[0]
        self.findings = [f.to_dict() for f in findings]
        super().__init__(
            first.message,
            column=first.column,
            rule=first.code,
            values=dict(first.values),
        )

    def to_dict(self) -> dict[str, Any]:
        """The error with every finding of the protocol."""
        out = super().to_dict()
        out["findings"] = self.findings
        return out


#: the two entries of double data entry must come from two different people
ENTRY_PAIR = {"official": "second-entry", "second-entry": "official"}


def _refuse_same_typist(store: Store, election_id: str, p: Protocol, who: Principal) -> None:
    """Refuse a second entry typed by the person who typed the first (or the reverse).

    Double entry catches typing slips only when the two entries are independent: the same
    person reading the same sheet twice repeats a misreading (the practice of the Dutch
    Kiesraad's Abacus: two typists, a coordinator resolves differences).
    """
    other = ENTRY_PAIR.get(p.source)
    if other is None:
        return
    stored = store.latest_protocols(election_id, [p.station]).get((p.station, other))
    if stored is not None and stored.author == who.name:
        raise Refused(
            f"{who.name} typed the {other} entry of station {p.station}; the {p.source} entry "
            "must be typed by someone else"
        )


def record_protocol(
    store: Store,
    election_id: str,
    data: dict[str, Any],
    who: Principal,
    election: Election | None = None,
) -> dict[str, Any]:
    """Record (or correct, with a reason) one protocol through the intake; its checks apply.

    Raises :class:`ProtocolRejected` when a check blocks it. A protocol equal to the one stored
    for the station and source is a duplicate and adds nothing.
    """
    from shailoo.intake import record_protocols

    p = protocol_of(data, author=who.name)
    _refuse_same_typist(store, election_id, p, who)
    result = record_protocols(store, election_id, [p], who.name, election=election)
    if result.rejected:
        raise ProtocolRejected(list(result.rejected[0].findings))
    out: dict[str, Any] = {"station": p.station, "source": p.source, "duplicate": False}
    if result.recorded:
        ev = result.recorded[0]
        out.update(
            kind=ev.kind,
            seq=ev.seq,
            hash=ev.hash,
            warnings=list(ev.payload.get("warnings") or []),
        )
    else:
        out["duplicate"] = True
    return out
