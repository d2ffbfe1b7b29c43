"""Incidents observers report at polling stations, and the commission's response to them.

Categories are the violations observer missions report on polling day, vote buying first
among them: it is what observers of the Kyrgyz election of 4 October 2020 reported (DESIGN.md).
Status moves with the commission's handling: ``reported`` -> ``under-review`` ->
``confirmed`` | ``dismissed``; each change is an ``incident.updated`` event carrying the
commission's response, so the history of a complaint is never lost.

Pure: :func:`project_incidents` builds the current incidents from ledger events.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from shailoo.domain.errors import InputError, NotFound
from shailoo.domain.events import INCIDENT_REPORTED, INCIDENT_UPDATED, Event

CATEGORIES: tuple[str, ...] = (
    "vote-buying",
    "carousel-voting",
    "ballot-stuffing",
    "multiple-voting",
    "pressure-on-voters",
    "obstruction-of-observers",
    "protocol-falsification",
    "procedural",
)

STATUSES: tuple[str, ...] = ("reported", "under-review", "confirmed", "dismissed")


def check_category(category: str) -> str:
    """The category if known (``_`` and spaces read as ``-``); an :class:`InputError` otherwise."""
    norm = category.strip().lower().replace("_", "-").replace(" ", "-")
    if norm not in CATEGORIES:
        raise InputError(
            "unknown incident category",
            column="category",
            rule="bad-category",
            values={"category": category, "known": ", ".join(CATEGORIES)},
        )
    return norm


def check_status(status: str) -> str:
    """The status if known; an :class:`InputError` otherwise."""
    norm = status.strip().lower().replace("_", "-").replace(" ", "-")
    if norm not in STATUSES:
        raise InputError(
            "unknown incident status",
            column="status",
            rule="bad-status",
            values={"status": status, "known": ", ".join(STATUSES)},
        )
    return norm


def incident_id(station: str, time: str, description: str, observer_id: str | None) -> str:
    """A stable id from what the report says, so that filing the same report twice is noticed."""
    text = "\x1f".join([station, time, description, observer_id or ""])
    return "I-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


@dataclass(frozen=True)
class StatusChange:
    """One ``incident.updated`` event: new status, the commission's response, who and when."""

    status: str
    response: str
    author: str
    recorded_at: str
    seq: int


@dataclass(frozen=True)
class Incident:
    """An incident as it stands now, with every status change that led there."""

    id: str
    station: str
    category: str
    time: str
    description: str
    observer_id: str | None
    evidence: tuple[Mapping[str, str], ...]
    reported_by: str
    recorded_at: str
    seq: int
    history: tuple[StatusChange, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        """Current status: the last change's, or ``reported``."""
        return self.history[-1].status if self.history else "reported"

    @property
    def response(self) -> str | None:
        """The commission's latest response, if any."""
        return self.history[-1].response if self.history else None

    def to_dict(self) -> dict[str, object]:
        """JSON shape for the CLI, the API and the evidence view."""
        return {
            "incident_id": self.id,
            "station": self.station,
            "category": self.category,
            "time": self.time,
            "description": self.description,
            "observer_id": self.observer_id,
            "evidence": [dict(e) for e in self.evidence],
            "status": self.status,
            "response": self.response,
            "reported_by": self.reported_by,
            "recorded_at": self.recorded_at,
            "history": [
                {
                    "status": h.status,
                    "response": h.response,
                    "author": h.author,
                    "recorded_at": h.recorded_at,
                    "seq": h.seq,
                }
                for h in self.history
            ],
        }


def project_incidents(events: Iterable[Event]) -> dict[str, Incident]:
    """The current incidents from ``incident.reported`` / ``incident.updated`` events, by id.

    An update of an unknown incident is ignored here (the service refuses to write one).
    """
    out: dict[str, Incident] = {}
    for e in events:
        p = e.payload
        if e.kind == INCIDENT_REPORTED:
            out[str(p["incident_id"])] = Incident(
                id=str(p["incident_id"]),
                station=str(p["station"]),
                category=str(p["category"]),
                time=str(p["time"]),
                description=str(p.get("description", "")),
                observer_id=None if p.get("observer_id") is None else str(p["observer_id"]),
                evidence=tuple(
                    {"name": str(x["name"]), "sha256": str(x["sha256"])}
                    for x in p.get("evidence") or ()
                ),
                reported_by=e.author,
                recorded_at=e.recorded_at,
                seq=e.seq,
            )
        elif e.kind == INCIDENT_UPDATED:
            iid = str(p["incident_id"])
            if iid in out:
                change = StatusChange(
                    str(p["status"]), str(p.get("response", "")), e.author, e.recorded_at, e.seq
                )
                out[iid] = replace(out[iid], history=(*out[iid].history, change))
    return out


def find(incidents: Mapping[str, Incident], iid: str) -> Incident:
    """The incident ``iid``; :class:`NotFound` listing a few known ids otherwise."""
    if iid not in incidents:
        known = ", ".join(sorted(incidents)[:5]) or "none"
        raise NotFound(f"no incident {iid!r} (known: {known})")
    return incidents[iid]
