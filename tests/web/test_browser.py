"""The site in headless Chromium: navigate, enter protocols, see errors, the chart, and text."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def login(page: Any, live: dict[str, Any], name: str) -> None:
    page.goto(live["url"] + "/staff")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", live["password"])
    page.click("button[type=submit]")
    page.wait_for_selector("text=Logged in as")


def fill_protocol(page: Any, p: Any, **changes: int) -> None:
    values = {
        "registered": p.registered, "ballots_received": p.ballots_received,
        "ballots_issued": p.ballots_issued, "ballots_cast": p.ballots_cast,
        "invalid": p.invalid, "against_all": p.against_all,
    }  # fmt: skip
    values.update(changes)
    page.fill("input[name=station]", p.station)
    for k, v in values.items():
        page.fill(f"input[name={k}]", str(v))
    for pid, v in p.votes.items():
        page.fill(f"input[name='vote-{pid}']", str(v))


def test_national_region_station_and_the_seat_chart(browser: Any, live: dict[str, Any]) -> None:
    page = browser.new_page()
    page.goto(live["url"] + "/")
    assert page.title().startswith("National results")
    chart = page.locator("svg.seat-chart")
    assert chart.count() == 1
    assert chart.locator("circle").count() == 120
    box = chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 100  # drawn, not hidden
    assert page.locator("#stations-reported").inner_text().startswith("50 of")
    region = live["own"].region
    page.click(f"table.units a:text-is('{region}')")
    page.wait_for_url(f"**/region/{region}")
    assert page.locator("h1").inner_text() == f"Region {region}"
    district = live["own"].district
    page.click(f"table.units a:text-is('{district}')")
    page.wait_for_url("**/district/**")
    assert district in page.locator("h1").inner_text()
    station = page.locator("table.units a").first
    sid = station.inner_text()
    station.click()
    page.wait_for_url(f"**/station/{sid}")
    assert page.locator("h1").inner_text() == f"Station {sid}"
    page.close()


def test_protocol_form_checks_as_you_type_and_records(browser: Any, live: dict[str, Any]) -> None:
    page = browser.new_page()
    login(page, live, "op")
    page.goto(live["url"] + "/staff/protocol")
    p = next(x for x in live["sim"].protocols if x.station == live["own"].id)
    # One that does not add up: the script shows the failed relation before submitting ...
    fill_protocol(page, p, ballots_cast=p.ballots_cast + 11)
    page.wait_for_selector("#check .errors li")
    assert page.locator("#check .errors li").count() >= 1
    assert page.locator("#check").is_visible()
    assert page.locator("input[aria-invalid=true]").count() >= 1  # the failed line is marked
    # ... and the server refuses it on submit, showing the error without any script.
    page.click("button:text('Record protocol')")
    page.wait_for_selector("div.errors[role=alert]")
    assert "not recorded" in page.locator("div.errors").inner_text()
    # The right numbers: the check clears and the protocol is recorded.
    fill_protocol(page, p)
    page.wait_for_selector("#check .ok")
    page.click("button:text('Record protocol')")
    page.wait_for_selector("#recorded")
    page.click(f"#recorded a:text-is('{p.station}')")
    page.wait_for_url(f"**/station/{p.station}")
    assert "op" in page.locator("table.history").inner_text()
    page.goto(live["url"] + "/")
    assert page.locator("#stations-reported").inner_text().startswith("51 of")
    page.close()


def test_form_works_without_javascript(browser: Any, live: dict[str, Any]) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    login(page, live, "admin")
    page.goto(live["url"] + "/staff/protocol")
    p = next(x for x in live["sim"].protocols if x.station == live["other"].id)
    fill_protocol(page, p, invalid=p.invalid + 3)
    page.click("button:text('Record protocol')")
    page.wait_for_selector("div.errors[role=alert]")
    assert page.locator("div.errors li").count() >= 1
    assert page.locator("input[aria-invalid=true]").count() >= 1
    context.close()


def test_incident_with_script_is_shown_as_text(browser: Any, live: dict[str, Any]) -> None:
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    login(page, live, "obs")
    page.goto(live["url"] + "/staff/incident")
    text = "<script>alert('pwned')</script> carousel buses at the school"
    page.select_option("select[name=station]", live["own"].id)
    page.select_option("select[name=category]", "carousel-voting")
    page.fill("input[name=time]", "2020-10-04T12:30")
    page.fill("textarea[name=description]", text)
    page.click("button:text('Report')")
    page.wait_for_selector("#recorded")
    page.goto(live["url"] + "/incidents")
    description = page.locator("p.description").first
    assert description.inner_text() == text
    page.goto(live["url"] + f"/station/{live['own'].id}")
    assert text in page.locator("ul.incidents").inner_text()
    assert dialogs == [], "a script from an incident ran"
    page.close()


def test_decision_needs_confirmation(browser: Any, live: dict[str, Any]) -> None:
    page = browser.new_page()
    login(page, live, "cec")
    page.goto(live["url"] + "/staff/decision")
    page.select_option("select[name=action]", "annul")
    page.select_option("select[name=level]", "station")
    page.fill("input[name=unit]", live["other"].id)
    page.fill("textarea[name=reason]", "ballot stuffing seen by two members")
    page.fill("input[name=article]", "art. 48")
    page.fill("input[name=basis_text]", "invalidation of the results of a station")
    page.fill("input[name=vote_for]", "9")
    page.click("button:text('Continue')")
    page.wait_for_selector("#confirm")
    assert page.locator("h1").inner_text() == "Confirm the decision"
    other = browser.new_page()
    other.goto(live["url"] + "/decisions.json")
    assert '"decisions":[]' in other.content().replace(" ", "")  # nothing recorded yet
    other.close()
    page.click("#confirm")
    page.wait_for_selector("#recorded")
    page.goto(live["url"] + f"/station/{live['other'].id}")
    assert "annulled" in page.locator("p.notice").inner_text()
    page.close()
