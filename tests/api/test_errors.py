"""One JSON error shape for every failure (fixed here)."""

from __future__ import annotations

from typing import Any

from shailoo.api.errors import ERROR_KEYS


def assert_shape(body: dict[str, Any], status: int, name: str) -> None:
    assert set(ERROR_KEYS) <= set(body), body
    assert body["status"] == status
    assert body["error"] == name
    assert isinstance(body["message"], str) and body["message"]


def test_error_shapes(world: dict[str, Any]) -> None:
    c = world["client"]
    tok = world["tokens"]
    cases = [
        # unknown route
        (c.get("/api/nothing-here"), 404, "NotFound"),
        # wrong method
        (c.delete("/api/token"), 405, "MethodNotAllowed"),
        # request that does not validate
        (c.post("/api/token", json={"name": "x"}), 422, "InputError"),
        # wrong password
        (c.post("/api/token", json={"name": "admin", "password": "nope-nope"}), 401,
         "Unauthenticated"),
        # no token for a write
        (c.get("/api/users"), 401, "Unauthenticated"),
        # forged token
        (c.get("/api/users", headers={"Authorization": "Bearer abc.def"}), 401, "Unauthenticated"),
        # role refused
        (c.get("/api/users", headers={"Authorization": f"Bearer {tok['op']}"}), 403, "Forbidden"),
        # ShailooError NotFound
        (c.get("/station/no-such-station.json"), 404, "NotFound"),
        (c.get("/region/Atlantis.json"), 404, "NotFound"),
        # unknown election
        (c.get("/index.json?election=nope"), 404, "NotFound"),
    ]  # fmt: skip
    for resp, status, name in cases:
        assert resp.status_code == status, (resp.request.url, resp.text)
        assert resp.headers["content-type"].startswith("application/json")
        assert_shape(resp.json(), status, name)


def test_input_error_carries_rule_and_values(world: dict[str, Any]) -> None:
    c = world["client"]
    r = c.post("/api/token", json={"name": "x"})
    body = r.json()
    assert body["rule"] == "request-validation"
    assert body["details"][0]["location"] == ["body", "password"]


def test_browser_gets_error_page(world: dict[str, Any]) -> None:
    r = world["client"].get("/station/nowhere", headers={"Accept": "text/html"})
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "no station" in r.text
