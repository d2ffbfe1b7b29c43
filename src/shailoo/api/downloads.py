"""Downloads: results as CSV and JSON, NIST SP 1500-100 JSON, the ledger and its public key,
the forensic statistics, and the seat chart as SVG. Each is cached by the ledger head."""

from __future__ import annotations

import csv
import importlib
import io
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shailoo.api import pages
from shailoo.api.forensics_view import ForensicsCache
from shailoo.api.http import PUBLIC_CACHE, dumps, etag_for, not_modified
from shailoo.api.site import Site
from shailoo.domain.errors import NotFound
from shailoo.domain.model import PROTOCOL_COUNTS
from shailoo.ledger import Store
from shailoo.tally.projection import Tally
from shailoo.web.render import seat_chart

PROTOCOL_COLUMNS = ("station", *PROTOCOL_COUNTS)


def results_csv(store: Store, tally: Tally) -> bytes:
    """The counted protocol of every station in the canonical protocol CSV (docs/formats.md)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    s_index = {s.id: s for s in tally.election.stations}
    w.writerow([*PROTOCOL_COLUMNS, *tally.party_ids, "region", "district", "source"])
    for p in tally.current_protocols():
        s = s_index[p.station]
        w.writerow(
            [p.station, p.registered, p.ballots_received, p.ballots_issued, p.ballots_cast,
             p.invalid, p.against_all, *(p.votes.get(x, 0) for x in tally.party_ids),
             s.region, s.district, p.source]
        )  # fmt: skip
    return out.getvalue().encode()


def results_json(store: Store, tally: Tally) -> bytes:
    """National results with every region and district, and the seats."""
    from shailoo.tally.service import results_json as tally_json

    data = tally_json(tally)
    data["districts"] = [tally.unit("district", d).to_json() for d in tally.districts]
    data["seats"] = pages.seats(tally)
    return dumps(data)


def nist_json(store: Store, tally: Tally) -> bytes:
    """Results as NIST SP 1500-100 version 2 JSON (from :mod:`shailoo.io.nist`)."""
    try:
        nist: Any = importlib.import_module("shailoo.io.nist")
    except ImportError:
        raise NotFound("the NIST export is not available in this installation") from None
    seats = pages.seats(tally)
    by_party = {p["id"]: p["seats"] for p in seats["parties"]} if seats["available"] else None
    return dumps(nist.nist_report(tally, seats=by_party))


def ledger_jsonl(store: Store, tally: Tally) -> bytes:
    """The election's ledger as JSON Lines with its checkpoints and public key."""
    from shailoo.ledger.export import export_jsonl

    out = io.StringIO()
    export_jsonl(store, tally.election.id, out)
    return out.getvalue().encode()


def public_key(store: Store, tally: Tally) -> bytes:
    """The commission's Ed25519 public key (hex) that signs the ledger's checkpoints."""
    first = next(iter(store.events(tally.election.id)), None)
    key = first.payload.get("public_key") if first else None
    if not key:
        raise NotFound(f"election {tally.election.id!r} has no signing key recorded")
    return (str(key) + "\n").encode()


def forensics_json(store: Store, tally: Tally, forensics: ForensicsCache | None = None) -> bytes:
    """Every statistic of the forensic checks."""
    return dumps(pages.forensics_page(store, tally, forensics))


def seats_svg(store: Store, tally: Tally) -> bytes:
    """The parliament seat chart as a standalone SVG file."""
    svg = str(seat_chart(pages.seats(tally), []))
    return svg.encode()


FILES: dict[str, tuple[Callable[[Store, Tally], bytes], str]] = {
    "results.csv": (results_csv, "text/csv; charset=utf-8"),
    "results.json": (results_json, "application/json"),
    "nist.json": (nist_json, "application/json"),
    "ledger.jsonl": (ledger_jsonl, "application/x-ndjson"),
    "public-key.txt": (public_key, "text/plain; charset=utf-8"),
    "forensics.json": (forensics_json, "application/json"),
}


def router(site: Site) -> APIRouter:
    """The ``/download`` routes and ``/seats.svg``."""
    r = APIRouter()

    def serve(request: Request, name: str, build: Callable[[Store, Tally], bytes], media: str,
              attachment: bool) -> Response:  # fmt: skip
        eid = site.election_id(request.query_params.get("election"))
        head = site.head(eid)
        etag = etag_for(head, name)
        headers = {"ETag": etag, "Cache-Control": PUBLIC_CACHE}
        if attachment:
            headers["Content-Disposition"] = f'attachment; filename="{eid}-{name}"'
        if not_modified(request, etag):
            return Response(status_code=304, headers=headers)

        def make() -> bytes:
            with site.build_lock:
                return build(site.store(), site.tally(head))

        body = site.cached((eid, head.hash, "download", name), make)
        return Response(body, media_type=media, headers=headers)

    def add(name: str, build: Callable[[Store, Tally], bytes], media: str) -> None:
        def handler(request: Request) -> Response:
            return serve(request, name, build, media, True)

        r.add_api_route(f"/download/{name}", handler, methods=["GET"], summary=build.__doc__)

    for name, (build, media) in FILES.items():
        if build is forensics_json:
            add(name, lambda st, t: forensics_json(st, t, site.forensics), media)
        else:
            add(name, build, media)

    @r.get("/forensics/figure/{name}", summary="A figure of the forensic checks (SVG)")
    def figure(request: Request, name: str) -> Response:
        eid = site.election_id(request.query_params.get("election"))
        svg = site.forensics.figures(eid).get(name.removesuffix(".svg"))
        if svg is None:
            raise NotFound(f"no forensic figure {name!r}; open /forensics first to compute them")
        return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": PUBLIC_CACHE})

    @r.get("/seats.svg", summary="The seat chart as SVG")
    def svg(request: Request) -> Response:
        return serve(request, "seats.svg", seats_svg, "image/svg+xml", False)

    return r


def build_all(
    store: Store, tally: Tally, forensics: ForensicsCache | None = None
) -> dict[str, Any]:
    """Every download by file name (``shailoo publish`` writes them); missing ones left out."""
    out: dict[str, Any] = {}
    for name, (build, _media) in FILES.items():
        try:
            if build is forensics_json:
                out[name] = forensics_json(store, tally, forensics)
            else:
                out[name] = build(store, tally)
        except NotFound:
            continue
    return out
