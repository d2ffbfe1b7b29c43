"""The NIST SP 1500-100 v2 export validates against NIST's own schema and holds the tally."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import jsonschema
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tally"))
from tally_factory import Ledger, protocol, small_election  # noqa: E402

from shailoo.io.nist import nist_report  # noqa: E402
from shailoo.tally import Tally  # noqa: E402

SCHEMA = (
    Path(os.environ.get("SHAILOO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
    / "standards/nist-1500-100-v2/NIST_V2_election_results_reporting.json"
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft4Validator:
    if not SCHEMA.exists():
        if os.environ.get("SHAILOO_REQUIRE_DATA") == "1":
            pytest.fail(f"NIST schema missing at {SCHEMA}")
        pytest.skip(f"NIST schema not found at {SCHEMA}")
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def tally_with_annulment() -> Tally:
    e = small_election()
    led = Ledger(e)
    for sid, a in (("N1-1", 100), ("N1-2", 80), ("N2-1", 60), ("S1-1", 10)):
        led.record(protocol(sid, {"A": a, "B": 50, "C": 7}, against_all=4, invalid=2))
    led.decide("D1", "annul", "district", "N2")
    led.decide("C1", "certify", "region", "South")
    return Tally.rebuild(e, led.events)


def test_report_validates_and_carries_the_counts(validator: jsonschema.Draft4Validator) -> None:
    t = tally_with_annulment()
    report = nist_report(t, seats={"A": 3, "B": 2, "C": 0})
    errors = sorted(validator.iter_errors(report), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    units = {u["@id"]: u for u in report["GpUnit"]}
    assert units["gpu-nation"]["Type"] == "country"
    assert units["gpu-district-N2"]["ExternalIdentifier"][0]["Value"] == "D1"
    assert set(units["gpu-region-North"]["ComposingGpUnitIds"]) == {
        "gpu-district-N1",
        "gpu-district-N2",
    }
    contest = report["Election"][0]["Contest"][0]
    sel = {s["PartyIds"][0]: s for s in contest["ContestSelection"]}
    nation_a = [c for c in sel["party-A"]["VoteCounts"] if c["GpUnitId"] == "gpu-nation"]
    assert {c["Type"]: c["Count"] for c in nation_a} == {"total": 190, "seats": 3}  # N2 annulled
    against = [c for c in sel["party-against-all"]["VoteCounts"] if c["GpUnitId"] == "gpu-nation"]
    assert against[0]["Count"] == 12
    assert report["Status"] == "unofficial-partial"  # S1-2 has not reported
    assert "D1" in report["Notes"]
    assert contest["SubUnitsReported"] == 3 and contest["TotalSubUnits"] == 5


def test_summary_report_validates_without_stations(validator: jsonschema.Draft4Validator) -> None:
    report = nist_report(tally_with_annulment(), precinct_level=False)
    assert not list(validator.iter_errors(report))
    assert all(u["Type"] != "precinct" for u in report["GpUnit"])
    assert report["Format"] == "summary-contest"


def test_a_broken_report_fails_the_schema(validator: jsonschema.Draft4Validator) -> None:
    # the test can fail: a report without its Status is not a NIST report
    report = nist_report(tally_with_annulment())
    del report["Status"]
    assert list(validator.iter_errors(report))
