"""Staff accounts and tokens: argon2 password hashes, HMAC-signed expiring tokens.

Accounts live in a side table of the election database (``web_users``), not in the ledger: a
password hash is not an election fact and must not be published with the ledger export. Every
write the account makes still enters the ledger under the account's name as the author.

A token is ``base64url(JSON{"sub", "role", "exp"}) "." base64url(HMAC-SHA256)``. The key is
random, created on first use and kept in the side table ``web_secret`` (so several API workers
on one PostgreSQL database accept each other's tokens). Tokens expire (12 hours by default, one
results night); the account is read again on every request, so a removed account or a changed
role takes effect at once.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from shailoo.api.errors import Unauthenticated
from shailoo.api.roles import Principal, Role
from shailoo.domain.errors import InputError, NotFound

#: seconds a token stays valid
TOKEN_TTL = 12 * 3600

_hasher = PasswordHasher()


class SqlStore(Protocol):
    """The part of the ledger store this module uses ('?' placeholders on every backend)."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any:
        """Run a statement."""

    def query(self, sql: str, params: Sequence[Any] = ...) -> Sequence[Any]:
        """Run a query and return its rows."""


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS web_users ("
    " name TEXT PRIMARY KEY, role TEXT NOT NULL, district TEXT, observer_id TEXT,"
    " password_hash TEXT NOT NULL, created_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS web_secret (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
)


def _row(row: Any, n: int) -> tuple[Any, ...]:
    """Rows come as tuples, sqlite3.Row or dicts depending on the backend: make them tuples."""
    if isinstance(row, dict):
        return tuple(row.values())[:n]
    return tuple(row[i] for i in range(n))


def ensure_tables(store: SqlStore) -> None:
    """Create the account tables if they are missing."""
    for sql in _SCHEMA:
        store.execute(sql)


def _check_district(store: SqlStore, district: str) -> None:
    """Refuse a district no election of the database has (a typo would lock the operator out).

    Accounts may be made before any election exists; then there is nothing to check against.
    """
    elections = getattr(store, "elections", None)
    ids = elections() if callable(elections) else []
    if not ids:
        return
    known = sorted({s.district for eid in ids for s in store.election(eid).stations})  # type: ignore[attr-defined]
    if district not in known:
        raise InputError(
            "no election in this database has that district",
            column="district",
            rule="unknown-district",
            values={
                "district": district,
                "known": ", ".join(known[:8]) + (" ..." if len(known) > 8 else ""),
            },
        )


def add_user(
    store: SqlStore,
    name: str,
    password: str,
    role: Role | str,
    *,
    district: str | None = None,
    observer_id: str | None = None,
) -> Principal:
    """Create or replace the account ``name``; returns it as a principal.

    An operator needs ``district`` and an observer needs ``observer_id`` (their accreditation in
    the ledger), because their permissions reach only that far.
    """
    try:
        role = Role(role)
    except ValueError:
        raise InputError(
            f"unknown role {role!r}; one of {', '.join(r.value for r in Role)}",
            column="role",
            rule="unknown-role",
            values={"role": role},
        ) from None
    if not name or not name.strip():
        raise InputError("a user needs a name", column="name", rule="empty-name")
    if len(password) < 8:
        raise InputError(
            "a password needs at least 8 characters",
            column="password",
            rule="short-password",
            values={"length": len(password)},
        )
    if role is Role.OPERATOR and not district:
        raise InputError(
            "an operator needs --district (operators enter protocols of their own district only)",
            column="district",
            rule="operator-without-district",
        )
    if role is Role.OBSERVER and not observer_id:
        raise InputError(
            "an observer needs --observer (the accreditation that sets their scope)",
            column="observer",
            rule="observer-without-accreditation",
        )
    if district and role is not Role.OPERATOR:
        # a scope the role does not use would read as a restriction that is not there
        raise InputError(
            "only an operator has a district", column="district", rule="district-not-operator"
        )
    if observer_id and role is not Role.OBSERVER:
        raise InputError(
            "only an observer has an accreditation", column="observer", rule="observer-not-observer"
        )
    if role is Role.OPERATOR and district:
        _check_district(store, district)
    ensure_tables(store)
    store.execute("DELETE FROM web_users WHERE name = ?", (name,))
    store.execute(
        "INSERT INTO web_users (name, role, district, observer_id, password_hash, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (
            name,
            role.value,
            district if role is Role.OPERATOR else None,
            observer_id if role is Role.OBSERVER else None,
            _hasher.hash(password),
            datetime.now(UTC).isoformat(timespec="seconds"),
        ),
    )
    return Principal(name=name, role=role, district=district, observer_id=observer_id)


def remove_user(store: SqlStore, name: str) -> None:
    """Delete the account ``name`` (its tokens stop working at once)."""
    ensure_tables(store)
    if not store.query("SELECT name FROM web_users WHERE name = ?", (name,)):
        raise NotFound(f"no user {name!r}")
    store.execute("DELETE FROM web_users WHERE name = ?", (name,))


def list_users(store: SqlStore) -> list[dict[str, Any]]:
    """Every account without its password hash, by name."""
    ensure_tables(store)
    rows = store.query(
        "SELECT name, role, district, observer_id, created_at FROM web_users ORDER BY name"
    )
    keys = ("name", "role", "district", "observer_id", "created_at")
    return [dict(zip(keys, _row(r, 5), strict=True)) for r in rows]


def get_user(store: SqlStore, name: str) -> Principal | None:
    """The account ``name`` as a principal (stations of an observer not yet filled in)."""
    ensure_tables(store)
    rows = store.query(
        "SELECT name, role, district, observer_id FROM web_users WHERE name = ?", (name,)
    )
    if not rows:
        return None
    n, role, district, observer_id = _row(rows[0], 4)
    return Principal(name=n, role=Role(role), district=district, observer_id=observer_id)


def check_password(store: SqlStore, name: str, password: str) -> Principal:
    """The account when ``password`` is right; :class:`Unauthenticated` otherwise."""
    ensure_tables(store)
    rows = store.query("SELECT password_hash FROM web_users WHERE name = ?", (name,))
    if not rows:
        # Hash anyway so that an unknown name takes as long as a wrong password.
        _hasher.hash(password)
        raise Unauthenticated("wrong user name or password")
    (stored,) = _row(rows[0], 1)
    try:
        _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        raise Unauthenticated("wrong user name or password") from None
    user = get_user(store, name)
    assert user is not None
    return user


def _secret(store: SqlStore) -> bytes:
    ensure_tables(store)
    rows = store.query("SELECT value FROM web_secret WHERE name = 'token-key'")
    if not rows:
        candidate = secrets.token_hex(32)
        # Another worker may have created it first; then the insert fails and we read theirs.
        with contextlib.suppress(Exception):
            store.execute(
                "INSERT INTO web_secret (name, value) VALUES ('token-key', ?)", (candidate,)
            )
        rows = store.query("SELECT value FROM web_secret WHERE name = 'token-key'")
    (value,) = _row(rows[0], 1)
    return bytes.fromhex(value)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and checks tokens with the database's key (read once, then kept in memory)."""

    def __init__(self, store: SqlStore, ttl: int = TOKEN_TTL) -> None:
        self._key = _secret(store)
        self.ttl = ttl

    def issue(self, user: Principal, now: float | None = None) -> tuple[str, int]:
        """A token for ``user`` and its expiry (Unix seconds)."""
        exp = int((time.time() if now is None else now) + self.ttl)
        claims = _b64(json.dumps({"sub": user.name, "role": user.role.value, "exp": exp}).encode())
        mac = hmac.new(self._key, claims.encode(), hashlib.sha256).digest()
        return f"{claims}.{_b64(mac)}", exp

    def subject(self, token: str, now: float | None = None) -> str:
        """The user name in a valid token; :class:`Unauthenticated` when forged or expired."""
        try:
            claims, mac = token.split(".", 1)
            good = hmac.new(self._key, claims.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(good, _unb64(mac)):
                raise ValueError("bad signature")
            data = json.loads(_unb64(claims))
            sub, exp = str(data["sub"]), int(data["exp"])
        except (ValueError, KeyError, TypeError):
            raise Unauthenticated("the token is not valid; log in again") from None
        if exp <= (time.time() if now is None else now):
            raise Unauthenticated("the token has expired; log in again")
        return sub
