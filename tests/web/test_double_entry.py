"""Double entry through the staff form (no JavaScript): a protocol counts once two agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from shailoo_builders import PASSWORD, build_db

from shailoo.api.app import create_app
from shailoo.simulate import kyrgyz_2020


def form_of(p: Any, source: str, **changes: Any) -> dict[str, str]:
    data = {
        "station": p.station, "source": source, "registered": p.registered,
        "ballots_received": p.ballots_received, "ballots_issued": p.ballots_issued,
        "ballots_cast": p.ballots_cast, "invalid": p.invalid, "against_all": p.against_all,
    }  # fmt: skip
    data.update({f"vote-{k}": v for k, v in p.votes.items()})
    data.update(changes)
    return {k: str(v) for k, v in data.items()}


def staff(db: Path, name: str) -> TestClient:
    c = TestClient(create_app(str(db)))
    r = c.post("/staff/login", data={"name": name, "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303 and "shailoo_token" in r.headers["set-cookie"]
    assert "httponly" in r.headers["set-cookie"].lower()
    return c


def test_second_entry_must_agree(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=7, n_stations=60)
    db = tmp_path / "d.db"
    info = build_db(db, sim, reported=0, double_entry=True)
    p = next(x for x in sim.protocols if x.station == info["own"].id)
    first = staff(db, "op")
    second = staff(db, "admin")
    r = first.post("/staff/protocol", data=form_of(p, "official"))
    assert r.status_code == 200 and "awaiting the second entry" in r.text
    # The same person may not type the second entry of a sheet they typed.
    same = first.post("/staff/protocol", data=form_of(p, "second-entry"))
    assert same.status_code == 422 and "must be typed by someone else" in same.text
    assert first.get("/index.json").json()["results"]["stations_reported"] == 0
    # The second typist slips on the invalid ballots (cast adjusted so the protocol adds up).
    slip = form_of(p, "second-entry", invalid=p.invalid + 1, ballots_cast=p.ballots_cast + 1,
                   ballots_issued=max(p.ballots_issued, p.ballots_cast + 1))  # fmt: skip
    r = second.post("/staff/protocol", data=slip)
    assert r.status_code == 200, r.text
    assert "disagree on" in r.text and "invalid" in r.text
    assert first.get("/index.json").json()["results"]["stations_reported"] == 0
    r = second.post(
        "/staff/protocol",
        data=form_of(p, "second-entry", reason="typing slip: re-read the paper protocol"),
    )
    assert r.status_code == 200 and "confirmed by the second entry" in r.text
    national = first.get("/index.json").json()["results"]
    assert national["stations_reported"] == 1 and national["ballots_cast"] == p.ballots_cast


def test_staff_pages_need_login_and_role(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=7, n_stations=60)
    db = tmp_path / "d.db"
    build_db(db, sim, reported=0)
    anonymous = TestClient(create_app(str(db)))
    r = anonymous.get("/staff/protocol", headers={"Accept": "text/html"})
    assert r.status_code == 401 and "Log in" in r.text
    observer = staff(db, "obs")
    r = observer.get("/staff/protocol", headers={"Accept": "text/html"})
    assert r.status_code == 403
    bad = anonymous.post("/staff/login", data={"name": "op", "password": "wrong password"})
    assert bad.status_code == 401 and "wrong user name or password" in bad.text


def test_incident_with_evidence_files(tmp_path: Path) -> None:
    import hashlib

    sim = kyrgyz_2020(seed=7, n_stations=60)
    db = tmp_path / "d.db"
    info = build_db(db, sim, reported=0)
    obs = staff(db, "obs")
    photo = b"\xff\xd8\xff fake jpeg bytes of a list of names"
    r = obs.post(
        "/staff/incident",
        data={"station": info["own"].id, "category": "vote-buying",
              "time": "2020-10-04T10:15", "description": "cash at the door"},
        files=[("evidence", ("../../etc/photo.jpg", photo, "image/jpeg"))],
    )  # fmt: skip
    assert r.status_code == 200, r.text
    digest = hashlib.sha256(photo).hexdigest()
    assert digest[:16] in r.text
    stored = Path(f"{db}.evidence") / digest
    assert stored.read_bytes() == photo
    public = TestClient(create_app(str(db)))
    incident = public.get("/incidents.json").json()["incidents"][0]
    assert incident["evidence"] == [{"name": "photo.jpg", "sha256": digest}]
    assert obs.get(f"/staff/evidence/{digest}").content == photo
    assert public.get(f"/staff/evidence/{digest}").status_code == 401
    assert obs.get("/staff/evidence/" + "0" * 64).status_code == 404


def test_commission_reviews_an_incident(tmp_path: Path) -> None:
    sim = kyrgyz_2020(seed=7, n_stations=60)
    db = tmp_path / "d.db"
    info = build_db(db, sim, reported=0)
    obs = staff(db, "obs")
    r = obs.post("/staff/incident", data={"station": info["own"].id, "category": "procedural",
                                          "time": "2020-10-04T08:00", "description": "late"})  # fmt: skip
    assert r.status_code == 200
    iid = TestClient(create_app(str(db))).get("/incidents.json").json()["incidents"][0]
    cec = staff(db, "cec")
    page = cec.get("/staff/incidents")
    assert page.status_code == 200 and iid["incident_id"] in page.text
    assert obs.get("/staff/incidents", headers={"Accept": "text/html"}).status_code == 403
    r = cec.post(f"/staff/incidents/{iid['incident_id']}",
                 data={"status": "dismissed", "response": "opened 10 minutes late, no effect"})  # fmt: skip
    assert r.status_code == 200 and "is now dismissed" in r.text
    now = TestClient(create_app(str(db))).get("/incidents.json").json()["incidents"][0]
    assert now["status"] == "dismissed" and now["history"][0]["author"] == "cec"
