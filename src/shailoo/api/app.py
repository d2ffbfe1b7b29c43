"""The FastAPI application: public pages with JSON twins, staff pages and the write API.

>>> from shailoo.api.app import create_app
>>> app = create_app("shailoo.db")       # doctest: +SKIP

Serve it with ``shailoo serve`` (uvicorn). OpenAPI is at ``/openapi.json``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from shailoo import __version__
from shailoo.api import downloads, errors, public, staff, write
from shailoo.api.site import Site
from shailoo.web.render import render, static_dir


def _error_page(request: Request, body: dict[str, Any]) -> Response:
    html = render("error.html", title=body["error"], error=body)
    return HTMLResponse(html, status_code=body["status"])


def create_app(db: str | None = None, *, schema: str | None = None) -> FastAPI:
    """The application over the election database ``db`` (SQLite path or PostgreSQL URL).

    ``schema`` puts the PostgreSQL tables in a schema of their own (tests use it).
    """
    site = Site(db, schema=schema)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        site.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Shailoo",
        version=__version__,
        description="Election results, seats, decisions, incidents and forensics, "
        "with the ledger to verify them. Every public page has a JSON twin.",
    )
    app.state.site = site
    errors.install(app, _error_page)
    app.mount("/static", StaticFiles(directory=str(static_dir())), name="static")
    app.include_router(write.router(site))
    app.include_router(staff.router(site))
    app.include_router(downloads.router(site))
    app.include_router(public.router(site))

    return app


def app_from_env() -> FastAPI:
    """The application over ``$SHAILOO_DB`` (for uvicorn's ``--factory`` with several workers)."""
    return create_app(None)
