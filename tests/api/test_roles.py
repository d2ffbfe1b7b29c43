"""The role matrix, pure: every role against every action, with and without scope."""

from __future__ import annotations

import itertools

import pytest

from shailoo.api.roles import MATRIX, Action, Principal, Role, Scope, permits, scope_of

#: what each role may do, written out by hand so that a change to the matrix fails here
EXPECTED: dict[Role, set[Action]] = {
    Role.ADMIN: {Action.READ, Action.READ_STAFF, Action.RECORD_PROTOCOL, Action.REVIEW_INCIDENT,
                 Action.MANAGE_USERS},
    Role.COMMISSION: {Action.READ, Action.READ_STAFF, Action.RECORD_PROTOCOL,
                      Action.REVIEW_INCIDENT, Action.DECIDE},
    Role.OPERATOR: {Action.READ, Action.READ_STAFF, Action.RECORD_PROTOCOL},
    Role.OBSERVER: {Action.READ, Action.READ_STAFF, Action.REPORT_INCIDENT},
    Role.PUBLIC: {Action.READ},
}  # fmt: skip


def who(role: Role) -> Principal:
    return Principal(
        name=role.value,
        role=role,
        district="D1" if role is Role.OPERATOR else None,
        observer_id="obs" if role is Role.OBSERVER else None,
        stations=frozenset({"S1"}) if role is Role.OBSERVER else frozenset(),
    )


@pytest.mark.parametrize(("role", "action"), list(itertools.product(Role, Action)))
def test_every_role_and_action(role: Role, action: Action) -> None:
    assert permits(who(role), action) is (action in EXPECTED[role])
    assert (scope_of(role, action) is not Scope.NONE) is (action in EXPECTED[role])


def test_matrix_covers_every_role() -> None:
    assert set(MATRIX) == set(Role)


@pytest.mark.parametrize("role", list(Role))
def test_scoped_writes(role: Role) -> None:
    p = who(role)
    # A protocol of a station in district D1 and one in D2.
    own = permits(p, Action.RECORD_PROTOCOL, station="S1", station_district="D1")
    other = permits(p, Action.RECORD_PROTOCOL, station="S2", station_district="D2")
    if role in (Role.ADMIN, Role.COMMISSION):
        assert own and other
    elif role is Role.OPERATOR:
        assert own and not other
    else:
        assert not own and not other
    inc_own = permits(p, Action.REPORT_INCIDENT, station="S1", station_district="D1")
    inc_other = permits(p, Action.REPORT_INCIDENT, station="S2", station_district="D1")
    assert inc_own is (role is Role.OBSERVER)
    assert not inc_other


def test_operator_without_district_may_not_write_anywhere() -> None:
    p = Principal(name="x", role=Role.OPERATOR, district=None)
    assert not permits(p, Action.RECORD_PROTOCOL, station="S1", station_district="D1")
