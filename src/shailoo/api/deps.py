"""Who is asking: the principal of a request, from a bearer token or the staff cookie."""

from __future__ import annotations

from fastapi import Request

from shailoo.api import auth
from shailoo.api.errors import Forbidden, Unauthenticated
from shailoo.api.roles import ANONYMOUS, Action, Principal, Role, permits
from shailoo.api.site import Site
from shailoo.domain.events import OBSERVER_ACCREDITED

#: the cookie the staff pages log in with (HttpOnly, SameSite=Strict)
COOKIE = "shailoo_token"


def token_of(request: Request) -> str | None:
    """The token of the request: ``Authorization: Bearer`` first, then the staff cookie."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE)


def signer(site: Site) -> auth.TokenSigner:
    """The site's token signer (its key is read once from the database)."""
    existing: auth.TokenSigner | None = getattr(site, "_signer", None)
    if existing is None:
        existing = auth.TokenSigner(site.store())
        site._signer = existing  # type: ignore[attr-defined]
    return existing


def accredited_stations(site: Site, election_id: str, observer_id: str) -> frozenset[str]:
    """Stations an observer's accreditation covers (its stations and those of its districts)."""
    store = site.store()
    stations: set[str] = set()
    districts: set[str] = set()
    for ev in store.events(election_id, kinds=[OBSERVER_ACCREDITED]):
        if str(ev.payload.get("observer_id")) != observer_id:
            continue
        scope = ev.payload.get("scope") or {}
        stations.update(str(s) for s in scope.get("stations") or [])
        districts.update(str(d) for d in scope.get("districts") or [])
    if districts:
        for s in site.election(election_id).stations:
            if s.district in districts:
                stations.add(s.id)
    return frozenset(stations)


def principal(site: Site, request: Request, election_id: str | None = None) -> Principal:
    """The user behind the request (the anonymous public when there is no token)."""
    token = token_of(request)
    if not token:
        return ANONYMOUS
    name = signer(site).subject(token)
    user = auth.get_user(site.store(), name)
    if user is None:
        raise Unauthenticated(f"the account {name!r} no longer exists")
    if user.role is Role.OBSERVER and user.observer_id:
        eid = election_id or site.election_id(None)
        user = Principal(
            name=user.name,
            role=user.role,
            observer_id=user.observer_id,
            stations=accredited_stations(site, eid, user.observer_id),
        )
    return user


def require(
    site: Site,
    request: Request,
    action: Action,
    *,
    election_id: str | None = None,
    station: str | None = None,
) -> Principal:
    """The principal if it may do ``action`` (on ``station``); 401 or 403 otherwise."""
    who = principal(site, request, election_id)
    district = None
    if station is not None:
        eid = election_id or site.election_id(None)
        for s in site.election(eid).stations:
            if s.id == station:
                district = s.district
                break
    if permits(who, action, station=station, station_district=district):
        return who
    if who.role is Role.PUBLIC:
        raise Unauthenticated(f"log in to {action.value}")
    where = f" at station {station!r}" if station else ""
    raise Forbidden(f"a user with role {who.role.value} may not {action.value}{where}")
