"""One JSON error shape for every failure of the API.

Every error response, whatever raised it (an unknown route, a wrong method, a request that does
not validate, a :class:`~shailoo.domain.errors.ShailooError`, a missing or expired token), has the
body ``{"error": NAME, "message": TEXT, "status": CODE}`` plus the fields of the error (an
``InputError`` adds ``file, line, column, rule, values``; a validation failure adds ``details``).
HTML pages render the same fields in a page; ``tests/api/test_errors.py`` fixes the shape.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from shailoo.domain.errors import InputError, NotFound, Refused, ShailooError

#: the keys every error body has
ERROR_KEYS = ("error", "message", "status")


class Unauthenticated(ShailooError):
    """The request needs a valid, unexpired token (or the staff login cookie)."""

    exit_code = 1


class Forbidden(Refused):
    """The user is known but their role or scope does not allow the action."""


def status_for(exc: ShailooError) -> int:
    """The HTTP status that goes with a Shailoo error."""
    if isinstance(exc, Unauthenticated):
        return 401
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Refused):
        return 409
    if isinstance(exc, InputError):
        return 422
    return 400


def error_body(name: str, message: str, status: int, **extra: Any) -> dict[str, Any]:
    """Build the shared error body."""
    body: dict[str, Any] = {"error": name, "message": message, "status": status}
    body.update(extra)
    return body


_HTTP_NAMES = {
    400: "BadRequest",
    401: "Unauthenticated",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Refused",
    413: "TooLarge",
    415: "UnsupportedMediaType",
    422: "InputError",
}


def wants_html(request: Request) -> bool:
    """True when a browser asked for a page rather than JSON (so errors are shown as a page)."""
    if request.url.path.startswith("/api/") or request.url.path.endswith(".json"):
        return False
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def install(app: FastAPI, render_error_page: Any = None) -> None:
    """Register the handlers that give every failure the shared shape.

    ``render_error_page(request, body) -> Response`` renders the HTML form of an error for
    browsers; without it every error is JSON.
    """

    def respond(
        request: Request, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> Response:
        if render_error_page is not None and wants_html(request):
            page: Response = render_error_page(request, body)
            return page
        return JSONResponse(body, status_code=body["status"], headers=headers)

    @app.exception_handler(ShailooError)
    async def _shailoo(request: Request, exc: ShailooError) -> Response:
        status = status_for(exc)
        body = exc.to_dict()
        body["status"] = status
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return respond(request, body, headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        status = exc.status_code
        message = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if status == 404 and message == "Not Found":
            message = f"no page or endpoint at {request.url.path}"
        if status == 405:
            message = f"{request.method} is not allowed on {request.url.path}"
        body = error_body(_HTTP_NAMES.get(status, "HTTPError"), message, status)
        return respond(request, body, dict(exc.headers) if exc.headers else None)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {
                "location": [str(p) for p in err.get("loc", ())],
                "message": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
            for err in exc.errors()
        ]
        first = details[0] if details else {"location": [], "message": "invalid request"}
        message = f"{'.'.join(first['location'])}: {first['message']}"
        body = error_body("InputError", message, 422, rule="request-validation", details=details)
        return respond(request, body)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug of ours: say so in the same shape, without leaking a traceback to the client.
        body = error_body("InternalError", f"unexpected {type(exc).__name__}", 500)
        return JSONResponse(body, status_code=500)
