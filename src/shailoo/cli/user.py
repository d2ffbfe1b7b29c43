"""``shailoo user``: staff accounts of the API and the staff pages."""

from __future__ import annotations

import argparse
import getpass
import os

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``user`` sub-command (add, remove, list)."""
    p = add_command(
        sub,
        "user",
        "Manage staff accounts (admin, commission, operator, observer).",
        example="shailoo user add alice --role operator --district 'Chui 03' --db kg.db",
        description="Manage staff accounts. Operators enter protocols of their own district "
        "only; observers report incidents within their accreditation only. The password is "
        "asked for, or read from $SHAILOO_PASSWORD.",
    )
    p.add_argument("action", choices=["add", "remove", "list"])
    p.add_argument("name", nargs="?", help="user name (for add and remove)")
    p.add_argument("--role", choices=["admin", "commission", "operator", "observer"])
    p.add_argument("--district", help="the operator's district")
    p.add_argument("--observer", help="the observer's accreditation id")
    p.add_argument(
        "--db", help="SQLite path or postgresql:// URL (default $SHAILOO_DB or ./shailoo.db)"
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Add, remove or list accounts."""
    from shailoo.api import auth
    from shailoo.domain.errors import InputError
    from shailoo.ledger import open_store

    # Accounts may be made before the election is; listing or removing needs the database.
    with open_store(args.db, must_exist=args.action != "add") as store:
        if args.action == "list":
            for u in auth.list_users(store):
                scope = u["district"] or u["observer_id"] or ""
                print(f"{u['name']}\t{u['role']}\t{scope}\t{u['created_at']}")
            return 0
        if not args.name:
            raise InputError(f"'shailoo user {args.action}' needs a user name", rule="no-name")
        if args.action == "remove":
            auth.remove_user(store, args.name)
            print(f"removed {args.name}")
            return 0
        if not args.role:
            raise InputError("'shailoo user add' needs --role", rule="no-role")
        password = os.environ.get("SHAILOO_PASSWORD") or _ask_password(args.name)
        existed = any(u["name"] == args.name for u in auth.list_users(store))
        user = auth.add_user(
            store, args.name, password, args.role, district=args.district, observer_id=args.observer
        )
        # 'add' replaces an account of the same name: say so, it may have been someone else's
        print(f"{'replaced' if existed else 'added'} {user.name} ({user.role.value})")
    return 0


def _ask_password(name: str) -> str:
    """Ask for the password; with no terminal and no $SHAILOO_PASSWORD, say so (no traceback)."""
    from shailoo.domain.errors import InputError

    try:
        return getpass.getpass(f"password for {name}: ")
    except EOFError:
        raise InputError(
            "no password given: type it at the prompt or set $SHAILOO_PASSWORD",
            rule="no-password",
        ) from None
