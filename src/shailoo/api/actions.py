"""The writes behind the API and the staff forms; each appends ledger events with its author.

Protocols go through :func:`shailoo.intake.record_protocols`, which runs the same checks as an
import (a correction needs a reason). Incidents and decisions are appended with the payloads of
:mod:`shailoo.domain.events`.
"""

from __future__ import annotations

import uuid
from typing import Any

from shailoo.api.roles import Principal
from shailoo.domain.errors import InputError, NotFound, Refused
from shailoo.domain.events import (
    DECISION_MADE,
    DECISION_REVOKED,
    INCIDENT_REPORTED,
    INCIDENT_UPDATED,
)
from shailoo.domain.model import Protocol
from shailoo.ledger import Store

#: incident categories (issue 6; the observer missions' usual list)
CATEGORIES = (
    "vote-buying",
    "carousel-voting",
    "ballot-stuffing",
    "multiple-voting",
    "pressure-on-voters",
    "obstruction-of-observers",
    "protocol-falsification",
    "procedural",
)
STATUSES = ("reported", "under-review", "confirmed", "dismissed")
LEVELS = ("station", "district", "region", "election")


def protocol_of(data: dict[str, Any], author: str | None = None) -> Protocol:
    """The :class:`Protocol` of a request body."""
    return Protocol(
        station=data["station"],
        registered=data["registered"],
        ballots_received=data["ballots_received"],
        ballots_issued=data["ballots_issued"],
        ballots_cast=data["ballots_cast"],
        invalid=data["invalid"],
        against_all=data["against_all"],
        votes=dict(data["votes"]),
        source=data.get("source") or "official",
        entered_by=author,
        reason=data.get("reason") or None,
    )


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def _station_ids(store: Store, election_id: str) -> set[str]:
    return {s.id for s in store.election(election_id).stations}


def report_incident(
    store: Store, election_id: str, data: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """Append ``incident.reported``; returns the incident id and the event's seq and hash."""
    if data["station"] not in _station_ids(store, election_id):
        raise NotFound(f"no station {data['station']!r} in election {election_id!r}")
    if data["category"] not in CATEGORIES:
        raise InputError(
            f"unknown incident category; one of {', '.join(CATEGORIES)}",
            column="category",
            rule="unknown-category",
            values={"category": data["category"]},
        )
    if not str(data["description"]).strip():
        raise InputError("describe what was seen", column="description", rule="empty-description")
    payload = {
        "incident_id": _new_id("inc"),
        "observer_id": who.observer_id,
        "station": data["station"],
        "category": data["category"],
        "time": data["time"],
        "description": data["description"],
        "evidence": [
            {"name": str(e.get("name", "")), "sha256": str(e.get("sha256", ""))}
            for e in data.get("evidence") or []
        ],
    }
    (ev,) = store.append(election_id, [(INCIDENT_REPORTED, payload, who.name)])
    return {"incident_id": payload["incident_id"], "seq": ev.seq, "hash": ev.hash}


def review_incident(
    store: Store, election_id: str, incident_id: str, data: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """Append ``incident.updated`` with the commission's status and response."""
    if data["status"] not in STATUSES:
        raise InputError(
            f"unknown status; one of {', '.join(STATUSES)}",
            column="status",
            rule="unknown-status",
            values={"status": data["status"]},
        )
    known = {
        str(ev.payload.get("incident_id"))
        for ev in store.events(election_id, kinds=[INCIDENT_REPORTED])
    }
    if incident_id not in known:
        raise NotFound(f"no incident {incident_id!r} in election {election_id!r}")
    payload = {"incident_id": incident_id, "status": data["status"], "response": data["response"]}
    (ev,) = store.append(election_id, [(INCIDENT_UPDATED, payload, who.name)])
    return {"incident_id": incident_id, "seq": ev.seq, "hash": ev.hash}


def decide(store: Store, election_id: str, data: dict[str, Any], who: Principal) -> dict[str, Any]:
    """Append ``decision.made`` (certify, annul) or ``decision.revoked``."""
    action = data["action"]
    if not str(data.get("reason") or "").strip():
        raise InputError(
            "a decision needs its reason", column="reason", rule="decision-without-reason"
        )
    if not str((data.get("legal_basis") or {}).get("article") or "").strip():
        raise InputError(
            "a decision needs its legal basis (article)",
            column="legal_basis",
            rule="decision-without-basis",
        )
    vote = data["vote"]
    vote = {
        "for": int(vote["for"]),
        "against": int(vote["against"]),
        "abstained": int(vote["abstained"]),
    }
    if vote["for"] <= vote["against"]:
        # A commission decides by majority of the members voting; a rejected motion is no decision.
        raise Refused(f"the motion did not pass (for {vote['for']}, against {vote['against']})")
    common = {
        "reason": data["reason"],
        "legal_basis": {
            "article": data["legal_basis"]["article"],
            "text": data["legal_basis"].get("text", ""),
        },
        "vote": vote,
        "date": data["date"],
    }
    if action == "revoke":
        made = {
            str(e.payload.get("decision_id"))
            for e in store.events(election_id, kinds=[DECISION_MADE])
        }
        gone = {
            str(e.payload.get("revokes"))
            for e in store.events(election_id, kinds=[DECISION_REVOKED])
        }
        target = str(data.get("revokes") or "")
        if target not in made:
            raise NotFound(f"no decision {target!r} to revoke")
        if target in gone:
            raise Refused(f"decision {target!r} is already revoked")
        payload = {"decision_id": _new_id("dec"), "revokes": target, **common}
        kind = DECISION_REVOKED
    elif action in ("certify", "annul"):
        level = data.get("level")
        if level not in LEVELS:
            raise InputError(
                f"unknown level; one of {', '.join(LEVELS)}",
                column="level",
                rule="unknown-level",
                values={"level": level},
            )
        unit = election_id if level == "election" else str(data.get("unit") or "")
        _check_unit(store, election_id, level, unit)
        payload = {
            "decision_id": _new_id("dec"),
            "action": action,
            "unit": {"level": level, "id": unit},
            **common,
        }
        kind = DECISION_MADE
    else:
        raise InputError(
            "unknown decision; one of certify, annul, revoke",
            column="action",
            rule="unknown-action",
            values={"action": action},
        )
    (ev,) = store.append(election_id, [(kind, payload, who.name)])
    return {"decision_id": payload["decision_id"], "seq": ev.seq, "hash": ev.hash}


def _check_unit(store: Store, election_id: str, level: str, unit: str) -> None:
    if level == "election":
        return
    election = store.election(election_id)
    key = {"station": "id", "district": "district", "region": "region"}[level]
    if not any(getattr(s, key) == unit for s in election.stations):
        raise NotFound(f"no {level} {unit!r} in election {election_id!r}")


def check(store: Store, election_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Run the protocol checks on a typed protocol: ``{"ok", "errors", "warnings"}``."""
    from shailoo.checks.protocol import check_protocol

    election = store.election(election_id)
    p = protocol_of(data)
    previous = None
    history = store.latest_protocols(election_id, [p.station])
    if (p.station, p.source) in history:
        from shailoo.tally.counting import protocol_from_payload

        previous = protocol_from_payload(history[(p.station, p.source)].payload)
    issues = check_protocol(p, election, previous)
    return _issues_dict(issues)


def _issues_dict(issues: Any) -> dict[str, Any]:
    errors: list[dict[str, Any]] = []
    warnings: list[dict[str, Any]] = []
    for i in issues:
        item = {
            "code": getattr(i, "code", None),
            "severity": getattr(i, "severity", "error"),
            "message": getattr(i, "message", str(i)),
            "column": getattr(i, "column", None),
            "values": dict(getattr(i, "values", {}) or {}),
        }
        (warnings if str(item["severity"]).startswith("warn") else errors).append(item)
    return {"ok": not errors, "errors": errors, "warnings": warnings}


def record_protocol(
    store: Store, election_id: str, data: dict[str, Any], who: Principal
) -> dict[str, Any]:
    """Record (or correct, with a reason) one protocol through the intake; its checks apply."""
    from shailoo.intake import record_protocols

    p = protocol_of(data, author=who.name)
    result = record_protocols(store, election_id, [p], who.name)
    return {"station": p.station, "result": _jsonable(result)}


def _jsonable(value: Any) -> Any:
    if hasattr(value, "to_json"):
        return value.to_json()
    if hasattr(value, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
