"""Staff pages: log in, enter a protocol (checked as you type and on submit), report an incident,
record a decision of the commission after a confirmation step. All work without JavaScript; a
small script only adds the as-you-type check (``/static/protocol.js`` calling ``/api/check``).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from shailoo.api import actions, auth, views
from shailoo.api.deps import COOKIE, principal, require, signer
from shailoo.api.roles import Action, Principal, Role, permits
from shailoo.api.site import Site
from shailoo.domain.errors import InputError, ShailooError
from shailoo.domain.model import PROTOCOL_COUNTS
from shailoo.observe.evidence_store import EvidenceStore, evidence_dir_for
from shailoo.observe.incidents import CATEGORIES, STATUSES
from shailoo.web.render import render

_NO_STORE = {"Cache-Control": "no-store"}
_COUNTS = PROTOCOL_COUNTS


def _page(template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(render(template, **ctx), status_code=status, headers=_NO_STORE)


def _protocol_page(
    c: dict[str, Any],
    *,
    form: dict[str, str] | None = None,
    check: dict[str, Any] | None = None,
    done: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The protocol entry page: empty, refused (422, the form kept) or recorded."""
    return _page(
        "staff/protocol.html",
        status=status,
        title="Enter a protocol",
        form=form if form is not None else {},
        check=check,
        done=done,
        **c,
    )


def _incident_page(
    c: dict[str, Any],
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    done: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The incident report page: empty, refused (422, the form kept) or recorded."""
    return _page(
        "staff/incident.html",
        status=status,
        title="Report an incident",
        form=form if form is not None else {},
        error=error,
        done=done,
        categories=CATEGORIES,
        **c,
    )


def _decision_page(
    c: dict[str, Any],
    *,
    form: dict[str, str] | None = None,
    error: str | None = None,
    confirm: bool = False,
    done: dict[str, Any] | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The decision page: empty, the confirmation step, refused (422) or recorded."""
    return _page(
        "staff/decision.html",
        status=status,
        title="Confirm the decision" if confirm else "Record a decision",
        form=form if form is not None else {},
        error=error,
        confirm=confirm,
        done=done,
        **c,
    )


async def _form_fields(request: Request) -> dict[str, str]:
    """The submitted form's fields as text."""
    return {k: str(v) for k, v in (await request.form()).items()}


def _int(form: dict[str, str], key: str) -> int:
    raw = (form.get(key) or "").strip()
    digits = raw[1:] if raw.startswith("-") else raw
    # int() also takes '1_000', '+5' and non-Latin digits; a protocol line is plain digits
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(
            "enter a whole number", column=key, rule="not-an-integer", values={key: raw}
        )
    value = int(raw)
    if value < 0:
        raise InputError(
            "a count cannot be negative", column=key, rule="negative", values={key: value}
        )
    return value


def protocol_form_data(form: dict[str, str], party_ids: tuple[str, ...]) -> dict[str, Any]:
    """A protocol body from the staff form's fields (``vote-<party>`` for each party)."""
    data: dict[str, Any] = {k: _int(form, k) for k in _COUNTS}
    data["votes"] = {pid: _int(form, f"vote-{pid}") for pid in party_ids}
    data["station"] = (form.get("station") or "").strip()
    data["source"] = form.get("source") or "official"
    data["reason"] = (form.get("reason") or "").strip() or None
    return data


#: the largest evidence file the staff form takes (a phone video of a few minutes)
MAX_EVIDENCE_BYTES = 200 * 1024 * 1024


async def _save_upload(upload: UploadFile, folder: Path) -> Path:
    """Write an uploaded evidence file under its own base name (never a path) in ``folder``."""
    name = Path(upload.filename or "evidence").name or "evidence"
    target = folder / name
    size = 0
    with open(target, "wb") as out:
        while block := await upload.read(1 << 20):
            size += len(block)
            if size > MAX_EVIDENCE_BYTES:
                raise InputError(
                    "evidence file too large",
                    column="evidence",
                    rule="evidence-too-large",
                    values={"name": name, "limit_mb": MAX_EVIDENCE_BYTES >> 20},
                )
            out.write(block)
    return target


def router(site: Site) -> APIRouter:
    """The ``/staff`` pages of ``site``."""
    r = APIRouter(prefix="/staff", include_in_schema=False)

    def ctx(request: Request, who: Principal) -> dict[str, Any]:
        eid = site.election_id(request.query_params.get("election"))
        election = site.election(eid)
        stations = [
            s.id
            for s in election.stations
            if who.role is not Role.OPERATOR or s.district == who.district
        ]
        if who.role is Role.OBSERVER:
            stations = sorted(who.stations)
        return {
            "user": who,
            "election": election,
            "stations": stations,
            "can": {a.value: permits(who, a) for a in Action},
        }

    @r.get("")
    def home(request: Request) -> Response:
        who = principal(site, request)
        if who.role is Role.PUBLIC:
            return _page("staff/login.html", title="Staff login", error=None)
        return _page("staff/home.html", title="Staff", **ctx(request, who))

    @r.post("/login")
    async def login(request: Request) -> Response:
        form = await _form_fields(request)
        try:
            user = auth.check_password(site.store(), form.get("name", ""), form.get("password", ""))
        except ShailooError as exc:
            return _page("staff/login.html", status=401, title="Staff login", error=str(exc))
        token, exp = signer(site).issue(user)
        resp = RedirectResponse("/staff", status_code=303)
        resp.set_cookie(COOKIE, token, max_age=signer(site).ttl, httponly=True, samesite="strict")
        return resp

    @r.post("/logout")
    def logout() -> Response:
        resp = RedirectResponse("/staff", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    @r.get("/protocol")
    def protocol_form(request: Request) -> Response:
        who = require(site, request, Action.RECORD_PROTOCOL)
        return _protocol_page(ctx(request, who))

    @r.post("/protocol")
    async def protocol_submit(request: Request) -> Response:
        form = await _form_fields(request)
        eid = site.election_id(request.query_params.get("election"))
        who = require(site, request, Action.RECORD_PROTOCOL)
        c = ctx(request, who)
        try:
            data = protocol_form_data(form, c["election"].party_ids)
            require(site, request, Action.RECORD_PROTOCOL, election_id=eid, station=data["station"])
            result = actions.check(site.store(), eid, data, site.election(eid))
            if not result["ok"]:
                return _protocol_page(c, form=form, check=result, status=422)
            done = actions.record_protocol(site.store(), eid, data, who, site.election(eid))
            # Say where the station stands now: with double entry a first entry counts only
            # once an independent second entry agrees with it.
            with site.build_lock:
                status = site.tally(site.head(eid)).station_status(data["station"])
            done["counting"] = status.detail
        except ShailooError as exc:
            body = exc.to_dict()
            check = {
                "ok": False,
                "warnings": [],
                "errors": [
                    {
                        "code": body.get("rule") or body["error"],
                        "message": str(exc),
                        "column": body.get("column"),
                    }
                ],
            }
            return _protocol_page(c, form=form, check=check, status=422)
        return _protocol_page(c, check=result, done={"station": data["station"], **done})

    @r.get("/incident")
    def incident_form(request: Request) -> Response:
        who = require(site, request, Action.REPORT_INCIDENT)
        return _incident_page(ctx(request, who))

    @r.post("/incident")
    async def incident_submit(request: Request) -> Response:
        raw = await request.form()
        uploads = [u for u in raw.getlist("evidence") if isinstance(u, UploadFile) and u.filename]
        form = {k: str(v) for k, v in raw.items() if k != "evidence"}
        eid = site.election_id(request.query_params.get("election"))
        who = require(site, request, Action.REPORT_INCIDENT)
        c = ctx(request, who)
        data: dict[str, Any] = {
            "station": form.get("station", "").strip(),
            "category": form.get("category", ""),
            "time": form.get("time") or datetime.now(UTC).isoformat(timespec="minutes"),
            "description": form.get("description", ""),
            "evidence": [],
        }
        try:
            require(
                site, request, Action.REPORT_INCIDENT, election_id=eid, station=str(data["station"])
            )
            with tempfile.TemporaryDirectory() as tmp:
                files = [await _save_upload(u, Path(tmp)) for u in uploads]
                done = actions.report_incident(
                    site.store(), eid, data, who, files=files,
                    evidence_dir=evidence_dir_for(site.db),
                )  # fmt: skip
        except ShailooError as exc:
            return _incident_page(c, form=form, error=str(exc), status=422)
        return _incident_page(c, done=done)

    @r.get("/incidents")
    def incidents_review(request: Request) -> Response:
        who = require(site, request, Action.REVIEW_INCIDENT)
        eid = site.election_id(request.query_params.get("election"))
        return _page("staff/incidents.html", title="Review incidents", error=None, done=None,
                     incidents=views.incidents(site.store(), eid), statuses=STATUSES,
                     **ctx(request, who))  # fmt: skip

    @r.post("/incidents/{incident_id}")
    async def incident_review_submit(request: Request, incident_id: str) -> Response:
        form = await _form_fields(request)
        who = require(site, request, Action.REVIEW_INCIDENT)
        eid = site.election_id(request.query_params.get("election"))
        error, done = None, None
        try:
            done = actions.review_incident(
                site.store(), eid, incident_id,
                {"status": form.get("status", ""), "response": form.get("response", "")}, who,
            )  # fmt: skip
        except ShailooError as exc:
            error = str(exc)
        return _page("staff/incidents.html", status=422 if error else 200,
                     title="Review incidents", error=error, done=done,
                     incidents=views.incidents(site.store(), eid), statuses=STATUSES,
                     **ctx(request, who))  # fmt: skip

    @r.get("/evidence/{sha256}")
    def evidence_file(request: Request, sha256: str) -> Response:
        # Evidence may show voters' faces: staff only; the public sees names and hashes.
        require(site, request, Action.READ_STAFF)
        path = EvidenceStore(evidence_dir_for(site.db)).path(sha256)
        return FileResponse(path, media_type="application/octet-stream",
                            headers={"Cache-Control": "private, max-age=3600"})  # fmt: skip

    @r.get("/decision")
    def decision_form(request: Request) -> Response:
        who = require(site, request, Action.DECIDE)
        return _decision_page(ctx(request, who))

    @r.post("/decision")
    async def decision_submit(request: Request) -> Response:
        form = await _form_fields(request)
        eid = site.election_id(request.query_params.get("election"))
        who = require(site, request, Action.DECIDE)
        c = ctx(request, who)
        try:
            data = {
                "action": form.get("action", ""),
                "level": form.get("level") or None,
                "unit": form.get("unit") or None,
                "revokes": form.get("revokes") or None,
                "reason": form.get("reason", ""),
                "legal_basis": {
                    "article": form.get("article", ""),
                    "text": form.get("basis_text", ""),
                },
                "vote": {k: _int(form, f"vote_{k}") for k in ("for", "against", "abstained")},
                "date": form.get("date") or datetime.now(UTC).date().isoformat(),
            }
            if form.get("confirmed") != "yes":
                # Step one only shows what will be recorded; nothing is written until confirmed.
                return _decision_page(c, form=form, confirm=True)
            done = actions.decide(site.store(), eid, data, who)
        except ShailooError as exc:
            return _decision_page(c, form=form, error=str(exc), status=422)
        return _decision_page(c, done=done)

    return r
