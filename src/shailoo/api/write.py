"""The authenticated API: tokens, the protocol check, and every write (each one a ledger event).

Each write names its author (the account) in the ledger event it appends, so the history of a
station says who entered or corrected what, and who decided what.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from shailoo.api import actions, auth
from shailoo.api.deps import principal, require, signer
from shailoo.api.roles import Action
from shailoo.api.site import Site


class Login(BaseModel):
    """User name and password."""

    name: str
    password: str


# Counts are JSON integers: strict, so that true, 10.0 or "10" are refused rather than
# silently read as 1 or 10 (a protocol is a legal document; nothing in it is guessed).
Count = Annotated[int, Field(ge=0, strict=True)]


class ProtocolIn(BaseModel):
    """One station's protocol as an operator typed it."""

    station: str
    registered: Count
    ballots_received: Count
    ballots_issued: Count
    ballots_cast: Count
    invalid: Count
    against_all: Count
    votes: dict[str, Annotated[int, Field(strict=True)]]
    source: Literal["official", "second-entry"] = Field(
        "official",
        description="official or second-entry; observers' copies go through 'shailoo observer "
        "copies', which checks their accreditation",
    )
    reason: str | None = None


class IncidentIn(BaseModel):
    """An incident an observer saw at a station."""

    station: str
    category: str
    time: str
    description: str
    evidence: list[dict[str, str]] = []


class IncidentStatusIn(BaseModel):
    """The commission's review of an incident."""

    status: str
    response: str


class Basis(BaseModel):
    """The legal basis of a decision."""

    article: str
    text: str = ""


class Vote(BaseModel):
    """The commission's vote on a decision."""

    for_: int = Field(alias="for", ge=0)
    against: int = Field(ge=0)
    abstained: int = Field(ge=0)


class DecisionIn(BaseModel):
    """A decision of the commission: certify or annul a unit, or revoke an earlier decision."""

    action: str = Field(description="certify | annul | revoke")
    level: str | None = Field(None, description="station | district | region | election")
    unit: str | None = None
    revokes: str | None = None
    reason: str
    legal_basis: Basis
    vote: Vote
    date: str


class UserIn(BaseModel):
    """A staff account."""

    name: str
    password: str
    role: str
    district: str | None = None
    observer_id: str | None = None


def router(site: Site) -> APIRouter:
    """The ``/api`` routes of ``site``."""
    r = APIRouter(prefix="/api")

    def election(request: Request) -> str:
        return site.election_id(request.query_params.get("election"))

    @r.post("/token", summary="Exchange a user name and password for an expiring token")
    def token(body: Login) -> dict[str, Any]:
        user = auth.check_password(site.store(), body.name, body.password)
        tok, exp = signer(site).issue(user)
        return {"token": tok, "token_type": "bearer", "expires": exp, "role": user.role.value}

    @r.get("/me", summary="The account behind the token")
    def me(request: Request) -> dict[str, Any]:
        who = principal(site, request)
        return {
            "name": who.name,
            "role": who.role.value,
            "district": who.district,
            "observer_id": who.observer_id,
        }

    @r.post("/check", summary="Check a protocol as it is typed, without recording it")
    def check(request: Request, body: ProtocolIn) -> dict[str, Any]:
        eid = election(request)
        require(site, request, Action.READ_STAFF, election_id=eid)
        return actions.check(site.store(), eid, body.model_dump(), site.election(eid))

    @r.post("/protocols", status_code=201, summary="Record or correct a station's protocol")
    def protocols(request: Request, body: ProtocolIn) -> dict[str, Any]:
        eid = election(request)
        who = require(site, request, Action.RECORD_PROTOCOL, election_id=eid, station=body.station)
        return actions.record_protocol(
            site.store(), eid, body.model_dump(), who, site.election(eid)
        )

    @r.post("/incidents", status_code=201, summary="Report an incident at a station")
    def incidents(request: Request, body: IncidentIn) -> dict[str, Any]:
        eid = election(request)
        who = require(site, request, Action.REPORT_INCIDENT, election_id=eid, station=body.station)
        return actions.report_incident(site.store(), eid, body.model_dump(), who)

    @r.post("/incidents/{incident_id}/status", summary="Set an incident's status and response")
    def incident_status(
        request: Request, incident_id: str, body: IncidentStatusIn
    ) -> dict[str, Any]:
        eid = election(request)
        who = require(site, request, Action.REVIEW_INCIDENT, election_id=eid)
        return actions.review_incident(site.store(), eid, incident_id, body.model_dump(), who)

    @r.post("/decisions", status_code=201, summary="Record a decision of the commission")
    def decisions(request: Request, body: DecisionIn) -> dict[str, Any]:
        eid = election(request)
        who = require(site, request, Action.DECIDE, election_id=eid)
        return actions.decide(site.store(), eid, body.model_dump(by_alias=True), who)

    @r.get("/users", summary="Every staff account (without password hashes)")
    def users(request: Request) -> list[dict[str, Any]]:
        require(site, request, Action.MANAGE_USERS)
        return auth.list_users(site.store())

    @r.post("/users", status_code=201, summary="Create or replace a staff account")
    def add_user(request: Request, body: UserIn) -> dict[str, Any]:
        require(site, request, Action.MANAGE_USERS)
        user = auth.add_user(
            site.store(),
            body.name,
            body.password,
            body.role,
            district=body.district,
            observer_id=body.observer_id,
        )
        return {"name": user.name, "role": user.role.value}

    @r.delete("/users/{name}", summary="Remove a staff account")
    def remove_user(request: Request, name: str) -> JSONResponse:
        require(site, request, Action.MANAGE_USERS)
        auth.remove_user(site.store(), name)
        return JSONResponse({"removed": name})

    return r
