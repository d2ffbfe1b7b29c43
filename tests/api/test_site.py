"""Public pages, their JSON twins, ETags, and every write seen in the pages afterwards."""

from __future__ import annotations

from typing import Any

from shailoo.api.auth import TokenSigner
from shailoo.api.errors import Unauthenticated
from shailoo.api.roles import Principal, Role
from shailoo.ledger import open_store


def auth(world: dict[str, Any], user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['tokens'][user]}"}


def protocol_body(p: Any, **changes: Any) -> dict[str, Any]:
    body = {
        "station": p.station, "registered": p.registered, "ballots_received": p.ballots_received,
        "ballots_issued": p.ballots_issued, "ballots_cast": p.ballots_cast, "invalid": p.invalid,
        "against_all": p.against_all, "votes": dict(p.votes), "source": "official",
    }  # fmt: skip
    body.update(changes)
    return body


def sim_protocol(world: dict[str, Any], station: str) -> Any:
    return next(p for p in world["sim"].protocols if p.station == station)


def test_national_totals_are_the_sum_of_recorded_protocols(world: dict[str, Any]) -> None:
    c = world["client"]
    data = c.get("/index.json").json()
    recorded = world["sim"].protocols[:50]
    r = data["results"]
    assert r["stations_reported"] == 50
    assert r["stations_total"] == len(world["election"].stations)
    assert r["ballots_cast"] == sum(p.ballots_cast for p in recorded)
    by_party = {p["id"]: p["votes"] for p in r["parties"]}
    for pid in world["election"].party_ids:
        assert by_party[pid] == sum(p.votes.get(pid, 0) for p in recorded)
    seats = data["seats"]
    assert seats["available"] and seats["total"] == 120
    assert sum(p["seats"] for p in seats["parties"]) == 120
    assert seats["explanation"], "the steps of the allocation are explained"


def test_html_and_json_twins_agree(world: dict[str, Any]) -> None:
    c = world["client"]
    region = world["own"].region
    as_json = c.get(f"/region/{region}.json").json()
    by_accept = c.get(f"/region/{region}", headers={"Accept": "application/json"}).json()
    assert as_json == by_accept
    html = c.get(f"/region/{region}", headers={"Accept": "text/html"}).text
    cast = f"{as_json['results']['ballots_cast']:,}".replace(",", "\u202f")
    assert cast in html
    for child in as_json["children"]:
        assert child["id"] in html


def test_national_page_draws_the_seat_chart(world: dict[str, Any]) -> None:
    html = world["client"].get("/").text
    assert html.count("<circle") == 120
    assert 'class="seat-chart"' in html


def test_etag_and_304_until_the_ledger_moves(world: dict[str, Any]) -> None:
    c = world["client"]
    first = c.get("/index.json")
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = c.get("/index.json", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    p = sim_protocol(world, world["own"].id)
    r = c.post("/api/protocols", json=protocol_body(p), headers=auth(world, "op"))
    assert r.status_code == 201, r.text
    after = c.get("/index.json", headers={"If-None-Match": etag})
    assert after.status_code == 200
    assert after.headers["etag"] != etag
    assert after.json()["results"]["stations_reported"] == 51


def test_operator_records_then_corrects_with_reason(world: dict[str, Any]) -> None:
    c = world["client"]
    own = world["own"].id
    p = sim_protocol(world, own)
    r = c.post("/api/protocols", json=protocol_body(p), headers=auth(world, "op"))
    assert r.status_code == 201 and r.json()["kind"] == "protocol.recorded"
    votes = dict(p.votes)
    first, second = world["election"].party_ids[:2]
    moved = min(5, votes[first])
    votes[first] -= moved
    votes[second] += moved
    no_reason = c.post(
        "/api/protocols", json=protocol_body(p, votes=votes), headers=auth(world, "op")
    )
    assert no_reason.status_code == 422
    fixed = c.post(
        "/api/protocols",
        json=protocol_body(p, votes=votes, reason="arithmetic slip found at the recount"),
        headers=auth(world, "op"),
    )
    assert fixed.status_code == 201 and fixed.json()["kind"] == "protocol.corrected"
    page = c.get(f"/station/{own}.json").json()
    assert [h["kind"] for h in page["history"]] == ["protocol.recorded", "protocol.corrected"]
    assert page["history"][1]["reason"] == "arithmetic slip found at the recount"
    assert page["history"][1]["event"]["author"] == "op"
    assert page["protocol"]["votes"][first] == votes[first]


def test_protocol_that_does_not_add_up_is_refused_and_not_recorded(world: dict[str, Any]) -> None:
    c = world["client"]
    p = sim_protocol(world, world["own"].id)
    bad = protocol_body(p, ballots_cast=p.ballots_cast + 7)
    check = c.post("/api/check", json=bad, headers=auth(world, "op")).json()
    assert not check["ok"] and check["errors"]
    good = c.post("/api/check", json=protocol_body(p), headers=auth(world, "op")).json()
    assert good["ok"] and not good["errors"]
    before = c.get("/index.json").headers["etag"]
    r = c.post("/api/protocols", json=bad, headers=auth(world, "op"))
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "ProtocolRejected" and body["rule"] and body["findings"]
    assert c.get("/index.json").headers["etag"] == before


def test_operator_refused_outside_own_district(world: dict[str, Any]) -> None:
    c = world["client"]
    p = sim_protocol(world, world["other"].id)
    r = c.post("/api/protocols", json=protocol_body(p), headers=auth(world, "op"))
    assert r.status_code == 403
    assert "station" in r.json()["message"]


def test_incident_with_script_is_shown_as_text(world: dict[str, Any]) -> None:
    c = world["client"]
    own = world["own"].id
    text = "<script>alert('x')</script> money offered"
    r = c.post(
        "/api/incidents",
        json={"station": own, "category": "vote-buying", "time": "2020-10-04T11:00",
              "description": text},
        headers=auth(world, "obs"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    html = c.get("/incidents", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;alert(" in html and "<script>alert(" not in html
    station = c.get(f"/station/{own}", headers={"Accept": "text/html"}).text
    assert "&lt;script&gt;" in station and "<script>alert(" not in station
    assert c.get("/incidents.json").json()["incidents"][0]["description"] == text
    iid = r.json()["incident_id"]
    review = c.post(
        f"/api/incidents/{iid}/status",
        json={"status": "confirmed", "response": "seen by two members"},
        headers=auth(world, "cec"),
    )
    assert review.status_code == 200, review.text
    assert c.get("/incidents.json").json()["incidents"][0]["status"] == "confirmed"


def test_observer_refused_outside_accreditation(world: dict[str, Any]) -> None:
    r = world["client"].post(
        "/api/incidents",
        json={"station": world["other"].id, "category": "vote-buying",
              "time": "2020-10-04T11:00", "description": "seen"},
        headers=auth(world, "obs"),
    )  # fmt: skip
    assert r.status_code == 403


def test_annul_and_revoke_change_the_results(world: dict[str, Any]) -> None:
    c = world["client"]
    other = world["other"]
    before = c.get("/index.json").json()["results"]
    basis = {"article": "art. 48", "text": "invalidation of voting results at a station"}
    vote = {"for": 10, "against": 2, "abstained": 0}
    r = c.post(
        "/api/decisions",
        json={"action": "annul", "level": "station", "unit": other.id, "reason": "stuffing",
              "legal_basis": basis, "vote": vote, "date": "2020-10-05"},
        headers=auth(world, "cec"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    did = r.json()["decision_id"]
    after = c.get("/index.json").json()["results"]
    cast = sim_protocol(world, other.id).ballots_cast
    assert after["ballots_cast"] == before["ballots_cast"] - cast
    page = c.get(f"/station/{other.id}.json").json()
    assert page["annulled"] and page["decisions"][0]["decision_id"] == did
    lost = c.post(
        "/api/decisions",
        json={"action": "revoke", "revokes": did, "reason": "court order",
              "legal_basis": basis, "vote": {"for": 3, "against": 9, "abstained": 0},
              "date": "2020-10-06"},
        headers=auth(world, "cec"),
    )  # fmt: skip
    assert lost.status_code == 409  # a motion that did not carry is not a decision
    r = c.post(
        "/api/decisions",
        json={"action": "revoke", "revokes": did, "reason": "court order",
              "legal_basis": basis, "vote": vote, "date": "2020-10-06"},
        headers=auth(world, "cec"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert c.get("/index.json").json()["results"]["ballots_cast"] == before["ballots_cast"]
    decisions = c.get("/decisions.json").json()["decisions"]
    assert [d["in_force"] for d in decisions] == [False, False]


def test_annulled_election_has_no_seats(world: dict[str, Any]) -> None:
    c = world["client"]
    r = c.post(
        "/api/decisions",
        json={"action": "annul", "level": "election", "reason": "mass vote buying",
              "legal_basis": {"article": "CEC decision of 6 October 2020", "text": "invalid"},
              "vote": {"for": 12, "against": 0, "abstained": 0}, "date": "2020-10-06"},
        headers=auth(world, "cec"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    data = c.get("/index.json").json()
    assert data["seats"]["annulled"] and data["seats"]["total"] == 0
    html = c.get("/").text
    assert "annulled" in html and html.count("<circle") == 0


def test_tokens_expire_and_die_with_the_account(world: dict[str, Any]) -> None:
    with open_store(str(world["db"])) as store:
        signer = TokenSigner(store, ttl=60)
        token, exp = signer.issue(Principal(name="cec", role=Role.COMMISSION), now=1000.0)
        assert signer.subject(token, now=1059.0) == "cec"
        try:
            signer.subject(token, now=1060.0)
            raise AssertionError("an expired token was accepted")
        except Unauthenticated:
            pass
        forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
        try:
            signer.subject(forged, now=1000.0)
            raise AssertionError("a forged token was accepted")
        except Unauthenticated:
            pass
    c = world["client"]
    assert c.delete("/api/users/obs", headers=auth(world, "admin")).status_code == 200
    assert c.get("/api/me", headers=auth(world, "obs")).status_code == 401


def test_openapi_lists_the_api(world: dict[str, Any]) -> None:
    paths = world["client"].get("/openapi.json").json()["paths"]
    for p in ("/api/protocols", "/api/decisions", "/api/incidents", "/index.json", "/api/check"):
        assert p in paths


def test_partial_rerun_moves_the_original_pages(world: dict[str, Any]) -> None:
    from shailoo.commission.rerun import create_rerun
    from shailoo.intake import record_protocols

    c = world["client"]
    other = world["other"]
    district_stations = [s.id for s in world["election"].stations if s.district == other.district]
    r = c.post(
        "/api/decisions",
        json={"action": "annul", "level": "district", "unit": other.district,
              "reason": "carousel voting", "legal_basis": {"article": "art. 48", "text": "t"},
              "vote": {"for": 8, "against": 1, "abstained": 0}, "date": "2020-10-05"},
        headers=auth(world, "cec"),
    )  # fmt: skip
    assert r.status_code == 201, r.text
    reported_before = set(p.station for p in world["sim"].protocols[:50])
    with open_store(str(world["db"])) as store:
        rerun = create_rerun(store, world["election"].id, level="district", ids=[other.district])
    waiting = c.get("/index.json")
    in_district = set(district_stations)
    assert waiting.json()["results"]["stations_reported"] == len(reported_before - in_district)
    with open_store(str(world["db"])) as store:
        protocols = [p for p in world["sim"].protocols if p.station in in_district]
        assert not record_protocols(store, rerun.id, protocols, "import").rejected
    # The original's ledger did not move; the re-run's protocols still change its pages.
    after = c.get("/index.json", headers={"If-None-Match": waiting.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["results"]["stations_reported"] == len(reported_before | in_district)
    page = c.get(f"/station/{other.id}.json").json()
    assert page["protocol"] is not None and page["status"] == "reported"
