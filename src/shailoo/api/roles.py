"""Who may do what: the role and permission matrix of the API, as pure data.

Five roles, after the users of DESIGN.md. The matrix is deliberately small and explicit so that a
test can walk every role against every action (``tests/api/test_roles.py``) and every endpoint
against its action (``tests/api/test_endpoints_roles.py``): a hole in it is a test failure.

Separation of duties: the administrator manages accounts and may enter protocols, but only a
commission member takes decisions (certify, annul), because a decision is a vote of the
commission and must carry its vote (for, against, abstained).
Operators enter protocols only for their own district; observers report incidents and file their
copies of protocols only within their accreditation scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final


class Role(StrEnum):
    """A user's role."""

    ADMIN = "admin"
    COMMISSION = "commission"
    OPERATOR = "operator"
    OBSERVER = "observer"
    PUBLIC = "public"


class Action(StrEnum):
    """Everything an endpoint can ask permission for."""

    READ = "read"  # public results, seats, decisions, incidents, downloads
    READ_STAFF = "read-staff"  # staff pages and the "as you type" protocol check
    RECORD_PROTOCOL = "record-protocol"  # enter or correct a protocol of a station
    REPORT_INCIDENT = "report-incident"  # an observer's incident at a station
    REVIEW_INCIDENT = "review-incident"  # set an incident's status with the commission's response
    DECIDE = "decide"  # certify, annul or revoke
    MANAGE_USERS = "manage-users"


class Scope(StrEnum):
    """How far a permission reaches."""

    NONE = "none"  # refused
    ALL = "all"  # any station
    DISTRICT = "district"  # stations of the user's own district
    ACCREDITATION = "accreditation"  # stations the observer is accredited for


_R, _A, _S = Role, Action, Scope

#: the matrix: ``MATRIX[role][action]`` is the scope of that permission (missing = refused)
MATRIX: Final[dict[Role, dict[Action, Scope]]] = {
    _R.ADMIN: {
        _A.READ: _S.ALL,
        _A.READ_STAFF: _S.ALL,
        _A.RECORD_PROTOCOL: _S.ALL,
        _A.REVIEW_INCIDENT: _S.ALL,
        _A.MANAGE_USERS: _S.ALL,
    },
    _R.COMMISSION: {
        _A.READ: _S.ALL,
        _A.READ_STAFF: _S.ALL,
        _A.RECORD_PROTOCOL: _S.ALL,
        _A.REVIEW_INCIDENT: _S.ALL,
        _A.DECIDE: _S.ALL,
    },
    _R.OPERATOR: {
        _A.READ: _S.ALL,
        _A.READ_STAFF: _S.ALL,
        _A.RECORD_PROTOCOL: _S.DISTRICT,
    },
    _R.OBSERVER: {
        _A.READ: _S.ALL,
        _A.READ_STAFF: _S.ALL,
        _A.REPORT_INCIDENT: _S.ACCREDITATION,
    },
    _R.PUBLIC: {_A.READ: _S.ALL},
}


@dataclass(frozen=True)
class Principal:
    """The user behind a request: name, role and where the role reaches.

    ``district`` is the operator's district; ``stations`` the observer's accredited stations
    (already expanded from the districts of the accreditation) and ``observer_id`` its id.
    """

    name: str
    role: Role
    district: str | None = None
    observer_id: str | None = None
    stations: frozenset[str] = field(default_factory=frozenset)


ANONYMOUS: Final = Principal(name="public", role=Role.PUBLIC)


def scope_of(role: Role, action: Action) -> Scope:
    """The scope of ``action`` for ``role`` (``Scope.NONE`` when refused)."""
    return MATRIX[role].get(action, Scope.NONE)


def permits(
    principal: Principal,
    action: Action,
    *,
    station: str | None = None,
    station_district: str | None = None,
) -> bool:
    """True when ``principal`` may do ``action`` (on ``station`` in ``station_district``).

    A scoped permission without a station to check is granted only for the action in general
    (e.g. to show the form); the write itself is checked again with its station.
    """
    scope = scope_of(principal.role, action)
    if scope is Scope.NONE:
        return False
    if scope is Scope.ALL or station is None:
        return True
    if scope is Scope.DISTRICT:
        return principal.district is not None and station_district == principal.district
    return station in principal.stations  # Scope.ACCREDITATION
