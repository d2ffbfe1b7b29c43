"""Public read routes: every page as HTML and as its JSON twin (``X.json`` or Accept header)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shailoo.api import pages
from shailoo.api.http import cached_page, strip_json, wants_json
from shailoo.api.site import Site
from shailoo.web.render import render


def _html(template: str, title: str, election: str | None) -> Callable[[dict[str, Any]], str]:
    # Links of a page asked for another election than the default keep asking for it.
    suffix = f"?election={quote(election)}" if election else ""

    def href(path: str) -> str:
        return path + suffix

    return lambda data: render(template, title=title, data=data, href=href, **data)


def router(site: Site) -> APIRouter:
    """The public routes of ``site``."""
    r = APIRouter()

    def serve(
        request: Request,
        key: tuple[Any, ...],
        build: Callable[[Any, Any], dict[str, Any]],
        template: str,
        title: str,
        as_json: bool,
    ) -> Response:
        requested = request.query_params.get("election")
        eid = site.election_id(requested)
        head = site.head(eid)
        return cached_page(
            request,
            site,
            head,
            (*key, requested),
            as_json=as_json,
            build=lambda: _build(site, head, build),
            render_html=_html(template, title, requested),
        )

    @r.get("/", summary="National results (HTML; JSON with Accept: application/json)")
    def national(request: Request) -> Response:
        return serve(
            request,
            ("national",),
            pages.national,
            "national.html",
            "National results",
            wants_json(request),
        )

    @r.get("/index.json", summary="National results as JSON")
    def national_json(request: Request) -> Response:
        return serve(
            request, ("national",), pages.national, "national.html", "National results", True
        )

    for level in ("region", "district"):
        _add_unit(r, serve, level)

    @r.get("/station/{name}", summary="A station: protocol, history, incidents, decisions")
    def station(request: Request, name: str) -> Response:
        uid = strip_json(name)
        return serve(
            request,
            ("station", uid),
            lambda st, e: pages.station(st, e, uid, site.forensics),
            "station.html",
            f"Station {uid}",
            wants_json(request, name),
        )

    simple: list[tuple[str, Callable[[Any, Any], dict[str, Any]], str, str]] = [
        ("decisions", pages.decisions_page, "decisions.html", "Decisions of the commission"),
        ("incidents", pages.incidents_page, "incidents.html", "Incidents reported by observers"),
        (
            "forensics",
            lambda st, t: pages.forensics_page(st, t, site.forensics),
            "forensics.html",
            "Statistical checks",
        ),
        ("downloads", pages.downloads_page, "downloads.html", "Downloads"),
    ]
    for name, build, template, title in simple:
        _add_simple(r, serve, name, build, template, title)

    @r.get("/elections", summary="Every election in the database")
    def elections(request: Request) -> Response:
        return _elections(request, site, wants_json(request))

    @r.get("/elections.json", summary="Every election in the database as JSON")
    def elections_json(request: Request) -> Response:
        return _elections(request, site, True)

    return r


def _build(site: Site, head: Any, build: Callable[[Any, Any], dict[str, Any]]) -> dict[str, Any]:
    with site.build_lock:
        return build(site.store(), site.tally(head))


def _add_simple(
    r: APIRouter,
    serve: Callable[..., Response],
    name: str,
    build: Callable[[Any, Any], dict[str, Any]],
    template: str,
    title: str,
) -> None:
    def html(request: Request) -> Response:
        return serve(request, (name,), build, template, title, wants_json(request))

    def as_json(request: Request) -> Response:
        return serve(request, (name,), build, template, title, True)

    r.add_api_route(f"/{name}", html, methods=["GET"], summary=title)
    r.add_api_route(f"/{name}.json", as_json, methods=["GET"], summary=f"{title} (JSON)")


def _add_unit(r: APIRouter, serve: Callable[..., Response], level: str) -> None:
    """Route ``/<level>/<id>`` (``.json`` appended for JSON) to the results of that unit."""

    def unit(request: Request, name: str) -> Response:
        uid = strip_json(name)
        return serve(
            request,
            (level, uid),
            lambda st, e: pages.unit(st, e, level, uid),
            "unit.html",
            f"{level.capitalize()} {uid}",
            wants_json(request, name),
        )

    r.add_api_route(
        f"/{level}/{{name}}",
        unit,
        methods=["GET"],
        name=level,
        summary=f"Results of a {level} (append .json for JSON)",
    )


def _elections(request: Request, site: Site, as_json: bool) -> Response:
    from shailoo.api.http import dumps

    data = pages.elections_page(site.store())
    if as_json:
        return Response(dumps(data), media_type="application/json")
    return Response(
        render("elections.html", title="Elections", data=data, **data),
        media_type="text/html; charset=utf-8",
    )
