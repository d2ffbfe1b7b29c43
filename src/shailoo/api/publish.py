"""``shailoo publish``: the public site as static HTML and JSON for any web server or CDN.

Every page the live site serves is written as ``PATH.html`` beside its JSON twin ``PATH.json``,
with links relative to the page so the folder works from any web server, any sub-path, or opened
straight from disk. The downloads (CSV, JSON, ledger, public key) go to ``download/``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tqdm import tqdm

from shailoo.api import downloads, pages
from shailoo.api.forensics_view import ForensicsCache
from shailoo.api.http import dumps
from shailoo.domain.errors import InputError
from shailoo.ledger import open_store
from shailoo.tally.service import load_tally
from shailoo.web.render import render, static_dir


def target(path: str) -> str:
    """Where the live site's ``path`` lives in the published folder."""
    path = unquote(path.split("?", 1)[0]).lstrip("/")
    if path in ("", "index.json"):
        return "index.html" if path == "" else path
    if path.endswith((".json", ".svg")) or path.startswith("download/"):
        return path
    return path + ".html"


def hrefs(depth: int) -> Callable[[str], str]:
    """The link function of a page ``depth`` folders below the root."""
    up = "../" * depth

    def href(path: str) -> str:
        out = target(path)
        # Keep the percent-encoding of ids with spaces in the link itself.
        rest = path.lstrip("/")
        if rest and not path.startswith("/download/") and "%" in rest:
            out = rest if rest.endswith((".json", ".svg")) else rest + ".html"
        return up + out

    return href


def publish(db: str | None, out_dir: str | Path, election_id: str | None = None) -> int:
    """Write the site of one election (the default one when None); return the files written."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; publish writes a folder", rule="not-a-folder")
    written = 0
    with open_store(db, must_exist=True) as store:
        tally = load_tally(store, election_id)
        # Made only once the election is known to exist, so a typo leaves nothing behind.
        out.mkdir(parents=True, exist_ok=True)
        forensics = ForensicsCache()

        def page(path: str, data: dict[str, Any], template: str, title: str) -> None:
            nonlocal written
            name = target(path)
            depth = name.count("/")
            html_file = out / name
            html_file.parent.mkdir(parents=True, exist_ok=True)
            html = render(template, title=title, data=data, href=hrefs(depth),
                          static_prefix="../" * depth + "static", published=True, **data)  # fmt: skip
            html_file.write_text(html, encoding="utf-8")
            json_name = "index.json" if name == "index.html" else name[: -len(".html")] + ".json"
            (out / json_name).write_bytes(dumps(data))
            written += 2

        page("/", pages.national(store, tally), "national.html", "National results")
        for name, build, template, title in (
            ("/decisions", pages.decisions_page, "decisions.html", "Decisions of the commission"),
            (
                "/incidents",
                pages.incidents_page,
                "incidents.html",
                "Incidents reported by observers",
            ),
            (
                "/forensics",
                lambda st, t: pages.forensics_page(st, t, forensics),
                "forensics.html",
                "Statistical checks",
            ),
            ("/downloads", pages.downloads_page, "downloads.html", "Downloads"),
        ):
            data = build(store, tally)
            page(name, data, template, title)
        units = [("region", r) for r in tally.regions] + [("district", d) for d in tally.districts]
        stations = [s.id for s in tally.election.stations]
        with tqdm(total=len(units) + len(stations), desc="pages", unit="page", file=sys.stderr,
                  disable=None) as bar:  # fmt: skip
            for level, uid in units:
                page(f"/{level}/{uid}", pages.unit(store, tally, level, uid), "unit.html",
                     f"{level.capitalize()} {uid}")  # fmt: skip
                bar.update()
            for sid in stations:
                page(f"/station/{sid}", pages.station(store, tally, sid, forensics), "station.html",
                     f"Station {sid}")  # fmt: skip
                bar.update()
        files = downloads.build_all(store, tally, forensics)
        (out / "download").mkdir(exist_ok=True)
        for fname, body in files.items():
            (out / "download" / fname).write_bytes(body)
            written += 1
        (out / "seats.svg").write_bytes(downloads.seats_svg(store, tally))
        written += 1
        fig_dir = out / "forensics" / "figure"
        for fname, svg in forensics.figures(tally.election.id).items():
            fig_dir.mkdir(parents=True, exist_ok=True)
            (fig_dir / f"{fname}.svg").write_bytes(svg)
            written += 1
    static_out = out / "static"
    static_out.mkdir(exist_ok=True)
    for f in static_dir().iterdir():
        if f.is_file():
            shutil.copy2(f, static_out / f.name)
            written += 1
    return written
