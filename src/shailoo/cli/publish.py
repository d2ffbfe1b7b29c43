"""``shailoo publish DIR``: the public results site as static HTML and JSON."""

from __future__ import annotations

import argparse

from shailoo.cli import add_command


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``publish`` sub-command."""
    p = add_command(
        sub,
        "publish",
        "Write the public results site as static HTML and JSON.",
        example="shailoo publish --db kg.db site/",
        description="Write every public page (national, regions, districts, stations, "
        "decisions, incidents, forensics, downloads) as HTML beside its JSON twin, with the "
        "downloads and the style sheet, for any web server or CDN. Links are relative, so the "
        "folder also works opened from disk.",
    )
    p.add_argument("dir", help="folder to write (created if missing)")
    p.add_argument(
        "--db", help="SQLite path or postgresql:// URL (default $SHAILOO_DB or ./shailoo.db)"
    )
    p.add_argument("--election", help="election id (default: the newest)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Publish and say how many files were written."""
    from shailoo.api.publish import publish

    n = publish(args.db, args.dir, args.election)
    print(f"wrote {n:,} files to {args.dir}")
    return 0
