"""Every endpoint against every role: allowed ones are not refused, refused ones are 401/403.

The table below names each route with the action it needs; a test fails when the application
has a route the table does not name, so a new endpoint cannot slip past the matrix.
"""

from __future__ import annotations

from typing import Any

import pytest
from shailoo_builders import PASSWORD

from shailoo.api.roles import Action, Principal, Role, permits

ROLES = {"admin": Role.ADMIN, "cec": Role.COMMISSION, "op": Role.OPERATOR, "obs": Role.OBSERVER,
         None: Role.PUBLIC}  # fmt: skip


def protocol_body(world: dict[str, Any], station: str) -> dict[str, Any]:
    p = next(p for p in world["sim"].protocols if p.station == station)
    return {
        "station": station, "registered": p.registered, "ballots_received": p.ballots_received,
        "ballots_issued": p.ballots_issued, "ballots_cast": p.ballots_cast, "invalid": p.invalid,
        "against_all": p.against_all, "votes": dict(p.votes), "source": "official",
        "reason": "recount by the district commission",
    }  # fmt: skip


def decision_body() -> dict[str, Any]:
    return {"action": "certify", "level": "election", "reason": "all protocols in",
            "legal_basis": {"article": "art. 41", "text": "certification of results"},
            "vote": {"for": 9, "against": 1, "abstained": 0}, "date": "2020-10-05"}  # fmt: skip


def incident_body(station: str) -> dict[str, Any]:
    return {"station": station, "category": "vote-buying", "time": "2020-10-04T10:00",
            "description": "cash offered at the entrance"}  # fmt: skip


def endpoints(world: dict[str, Any]) -> list[tuple[str, str, Action, Any, str | None]]:
    """(method, path, action, JSON body, station the action is scoped to)."""
    own, other = world["own"], world["other"]
    e = world["election"]
    return [
        ("GET", "/", Action.READ, None, None),
        ("GET", "/index.json", Action.READ, None, None),
        ("GET", f"/region/{own.region}.json", Action.READ, None, None),
        ("GET", f"/district/{own.district}.json", Action.READ, None, None),
        ("GET", f"/station/{own.id}.json", Action.READ, None, None),
        ("GET", "/decisions.json", Action.READ, None, None),
        ("GET", "/decisions", Action.READ, None, None),
        ("GET", "/incidents", Action.READ, None, None),
        ("GET", "/forensics", Action.READ, None, None),
        ("GET", "/downloads", Action.READ, None, None),
        ("GET", "/elections", Action.READ, None, None),
        ("GET", "/incidents.json", Action.READ, None, None),
        ("GET", "/forensics.json", Action.READ, None, None),
        ("GET", "/forensics/figure/fingerprint.svg", Action.READ, None, None),
        ("GET", "/downloads.json", Action.READ, None, None),
        ("GET", "/elections.json", Action.READ, None, None),
        ("GET", "/seats.svg", Action.READ, None, None),
        ("GET", "/download/results.csv", Action.READ, None, None),
        ("GET", "/download/results.json", Action.READ, None, None),
        ("GET", "/download/ledger.jsonl", Action.READ, None, None),
        ("GET", "/download/public-key.txt", Action.READ, None, None),
        ("GET", "/download/nist.json", Action.READ, None, None),
        ("GET", "/download/forensics.json", Action.READ, None, None),
        ("GET", "/api/me", Action.READ, None, None),
        ("POST", "/api/token", Action.READ, {"name": "cec", "password": PASSWORD}, None),
        ("POST", "/api/check", Action.READ_STAFF, protocol_body(world, own.id), None),
        ("POST", "/api/protocols", Action.RECORD_PROTOCOL, protocol_body(world, own.id), own.id),
        (
            "POST",
            "/api/protocols",
            Action.RECORD_PROTOCOL,
            protocol_body(world, other.id),
            other.id,
        ),
        ("POST", "/api/incidents", Action.REPORT_INCIDENT, incident_body(own.id), own.id),
        ("POST", "/api/incidents", Action.REPORT_INCIDENT, incident_body(other.id), other.id),
        (
            "POST",
            "/api/incidents/inc-x/status",
            Action.REVIEW_INCIDENT,
            {"status": "under-review", "response": "looking"},
            None,
        ),
        ("POST", "/api/decisions", Action.DECIDE, decision_body(), None),
        ("GET", "/api/users", Action.MANAGE_USERS, None, None),
        (
            "POST",
            "/api/users",
            Action.MANAGE_USERS,
            {"name": "new", "password": "long enough pw", "role": "commission"},
            None,
        ),
        ("DELETE", "/api/users/new", Action.MANAGE_USERS, None, None),
        ("GET", "/staff", Action.READ, None, None),
        ("GET", "/staff/protocol", Action.RECORD_PROTOCOL, None, None),
        ("GET", "/staff/incident", Action.REPORT_INCIDENT, None, None),
        ("GET", "/staff/decision", Action.DECIDE, None, None),
    ] + [("GET", f"/station/{s}.json", Action.READ, None, None) for s in [e.stations[-1].id]]


def principal_for(world: dict[str, Any], user: str | None) -> Principal:
    role = ROLES[user]
    own = world["own"]
    return Principal(
        name=user or "public",
        role=role,
        district=own.district if role is Role.OPERATOR else None,
        observer_id="obs-1" if role is Role.OBSERVER else None,
        stations=frozenset({own.id}) if role is Role.OBSERVER else frozenset(),
    )


@pytest.mark.parametrize("user", list(ROLES))
def test_every_endpoint_for_role(world: dict[str, Any], user: str | None) -> None:
    c = world["client"]
    headers = {"Authorization": f"Bearer {world['tokens'][user]}"} if user else {}
    districts = {s.id: s.district for s in world["election"].stations}
    who = principal_for(world, user)
    for method, path, action, body, station in endpoints(world):
        allowed = permits(who, action, station=station, station_district=districts.get(station))
        r = c.request(method, path, json=body, headers={**headers, "Accept": "application/json"})
        refused = r.status_code in (401, 403)
        assert refused is not allowed, (user, method, path, r.status_code, r.text[:300])
        if refused:
            assert r.json()["status"] == r.status_code
            assert r.status_code == (401 if who.role is Role.PUBLIC else 403)
        assert r.status_code < 500, (user, method, path, r.text[:300])
        if allowed and method == "GET":
            assert r.status_code == 200, (user, path, r.text[:300])


def test_table_names_every_route(world: dict[str, Any]) -> None:
    app = world["client"].app
    named = {(m, p) for m, p, *_ in endpoints(world)}
    paths = {p for _, p in named}
    for path, item in app.openapi()["paths"].items():
        for method in item:
            # A templated route counts as named when the table has a concrete path of its shape.
            prefix = path.split("{")[0]
            assert any(p == path or (("{" in path) and p.startswith(prefix)) for p in paths), (
                method,
                path,
            )
