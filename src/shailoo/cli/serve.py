"""``shailoo serve``: the public results site, the staff pages and the API over one database."""

from __future__ import annotations

import argparse

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``serve`` sub-command."""
    p = add_command(
        sub,
        "serve",
        "Serve the results site, the staff pages and the API.",
        example="shailoo serve --db kg.db --port 8000",
        description="Serve the public results site (every page also as JSON), the staff pages "
        "for protocols, incidents and decisions, and the API (OpenAPI at /openapi.json).",
    )
    p.add_argument(
        "--db", help="SQLite path or postgresql:// URL (default $SHAILOO_DB or ./shailoo.db)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Start uvicorn on the application."""
    from shailoo.domain.errors import InputError

    if not 1 <= args.port <= 65535:
        raise InputError(
            "a port is a number from 1 to 65535",
            column="--port",
            rule="port",
            values={"port": args.port},
        )
    if args.workers < 1:
        raise InputError(
            "at least one worker process",
            column="--workers",
            rule="workers",
            values={"workers": args.workers},
        )
    serve(args.db, args.host, args.port, workers=args.workers)
    return 0


def serve(db: str | None, host: str, port: int, *, workers: int = 1) -> None:
    """Run the site until interrupted (checks the database opens first, for a clear error)."""
    import os

    import uvicorn

    from shailoo.ledger import default_db, open_store

    target = default_db(db)
    with open_store(target, must_exist=True) as store:
        store.current_election()  # NotFound with a hint when the database holds no election
    _check_port(host, port)
    print(f"Shailoo at http://{host}:{port}/  (database {target}; Ctrl-C to stop)", flush=True)
    if workers > 1:
        os.environ["SHAILOO_DB"] = target
        uvicorn.run(
            "shailoo.api.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
        )
        return
    from shailoo.api.app import create_app

    uvicorn.run(create_app(target), host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    """Refuse early, with a hint, when the address is taken (uvicorn only logs it)."""
    import socket

    from shailoo.domain.errors import InputError, Refused

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # As uvicorn does: a port in TIME_WAIT is free, only a live listener is not.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except socket.gaierror as exc:  # not an address or a host name: bad input, not busy
            raise InputError(
                f"cannot listen on {host}: {exc.strerror}", column="--host", rule="host"
            ) from None
        except OSError as exc:
            raise Refused(f"cannot listen on {host}:{port} ({exc.strerror}); try --port") from None
