"""Content negotiation, ETags and cache headers shared by every public page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from shailoo.api.site import Head, Site

#: public pages may be kept by browsers and CDNs for a few seconds, then revalidated by ETag
PUBLIC_CACHE = "public, max-age=5, stale-while-revalidate=30"


def wants_json(request: Request, name: str = "") -> bool:
    """True for ``X.json`` paths, ``?format=json`` or an Accept header preferring JSON."""
    if name.endswith(".json") or request.url.path.endswith(".json"):
        return True
    if request.query_params.get("format") == "json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def strip_json(name: str) -> str:
    """``"Chui.json"`` -> ``"Chui"``."""
    return name[:-5] if name.endswith(".json") else name


def dumps(data: Any) -> bytes:
    """Compact UTF-8 JSON (non-ASCII kept readable)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def etag_for(head: Head, variant: str) -> str:
    """The ETag of one representation of a page at ``head``."""
    return f'"{head.election_id}-{head.seq}-{head.hash[:16]}-{variant}"'


def not_modified(request: Request, etag: str) -> bool:
    """True when the client already holds this representation."""
    given = request.headers.get("if-none-match")
    if not given:
        return False
    return etag in [t.strip() for t in given.split(",")] or given.strip() == "*"


def cached_page(
    request: Request,
    site: Site,
    head: Head,
    key: tuple[Any, ...],
    *,
    as_json: bool,
    build: Callable[[], dict[str, Any]],
    render_html: Callable[[dict[str, Any]], str],
) -> Response:
    """Serve a page as HTML or JSON from the cache keyed by the ledger head, with ETag and 304."""
    variant = "json" if as_json else "html"
    etag = etag_for(head, variant)
    headers = {"ETag": etag, "Cache-Control": PUBLIC_CACHE, "Vary": "Accept"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)

    def make() -> bytes:
        data = site.cached((head.election_id, head.hash, key, "data"), build)
        return dumps(data) if as_json else render_html(data).encode()

    body = site.cached((head.election_id, head.hash, key, variant), make)
    media = "application/json" if as_json else "text/html; charset=utf-8"
    return Response(body, media_type=media, headers=headers)
