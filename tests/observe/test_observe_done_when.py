"""Issue 6, "done when": rewritten protocols are caught by observers' copies and by the PVT.

On a simulated Kyrgyz 2020 election where some protocols were rewritten (votes moved to the
beneficiary after the count) and observers hold copies of the true protocols:

1. every rewritten station is flagged, with exactly the lines that differ, and no other station;
2. the PVT puts each official share outside its interval whenever the rewriting moved that
   national share by more than the margin of error of the PVT design.

"Margin of error" is the design's ``E`` (the precision asked for; NDI ch. 5). The sample is sized
for it with the design effect measured on a *previous* election (another simulated draw), as a
mission would do. The claim is statistical: the official share is outside when its shift exceeds
the interval's half-width plus the estimate's error; the test checks it on fixed seeds where the
design achieved a half-width below ``E`` (also asserted), so a shift above ``E`` lies outside
unless the estimate erred by more than ``E`` minus the half-width against the direction of the
shift.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from shailoo.domain.events import ELECTION_DEFINED
from shailoo.intake import record_protocols
from shailoo.ledger import open_store
from shailoo.observe import service
from shailoo.observe.observers import Observer
from shailoo.observe.pvt import (
    compare,
    design_effect_from,
    design_sample,
    estimate,
    official_ratios,
)
from shailoo.simulate import kyrgyz_2020

MARGIN = 0.01  # one percentage point


@pytest.fixture(scope="module")
def previous_deff() -> float:
    """Design effect measured on the previous election's station results (a clean draw)."""
    before = kyrgyz_2020(seed=99)
    return design_effect_from(before.true_protocols, before.party_ids)


def test_on_the_ledger_every_rewritten_station_is_flagged_and_the_pvt_rejects_the_official_share(
    tmp_path: Path, previous_deff: float
) -> None:
    sim = kyrgyz_2020(seed=7, rewritten=0.15)
    eid = sim.election_id
    with open_store(tmp_path / "kg.db") as store:
        store.append(eid, [(ELECTION_DEFINED, sim.election.to_payload(), "cec")])
        res = record_protocols(store, eid, sim.protocols, "cec")
        assert not res.rejected
        districts = sorted({s.district for s in sim.election.stations})
        obs = Observer.create(
            "mission",
            "Observers",
            "all",
            districts=districts,
            valid_from="2020-10-01",
            valid_to="2020-10-31",
        )
        service.accredit(store, eid, obs, "cec")
        res = service.record_observer_copies(
            store,
            eid,
            "mission",
            sim.true_protocols,
            "mission",
            on=obs.valid_from,
        )
        assert not res.rejected

        # 1. reconciliation
        official = {p.station: p.counts() for p in sim.protocols}
        true = {p.station: p.counts() for p in sim.true_protocols}
        # The simulator can mark a very small station "rewritten" while moving no vote (the
        # moved fraction rounds to zero); such a protocol equals the count and nobody can flag
        # it. Every rewrite that changed a number must be flagged, and nothing else.
        planted = {s for s, kinds in sim.truth.items() if "rewritten" in kinds}
        rewritten = {s for s in planted if official[s] != true[s]}
        assert len(rewritten) >= 0.95 * len(planted)
        rec = service.reconcile(store, eid)
        assert {s for s, r in rec.items() if r.disputed} == rewritten
        for sid in rewritten:
            [c] = rec[sid].comparisons
            assert c.source == "observer:mission"
            planted = {line for line, v in official[sid].items() if true[sid][line] != v}
            assert planted and {d.line for d in c.differences} == planted

        # 2. PVT on a sample of the same election
        service.design_pvt(store, eid, MARGIN, "mission", seed=11, design_effect=previous_deff)
        report = service.pvt_report(store, eid)
    truth = official_ratios(sim.true_protocols, sim.party_ids)
    _assert_outside_when_moved(report.comparisons, report.official, truth, report.estimate)


def _assert_outside_when_moved(comparisons, official, truth, est) -> int:  # type: ignore[no-untyped-def]
    moved = 0
    for c in comparisons:
        interval = est.turnout if c.line == "turnout" else est.shares[c.line]
        assert interval.margin <= MARGIN, (c.line, interval.margin)
        shift = abs(official[c.line] - truth[c.line])
        if shift > MARGIN:
            moved += 1
            assert c.outside, (c.line, shift, c)
    return moved


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("rewritten", [0.02, 0.1, 0.25])
def test_pvt_rejects_every_official_share_moved_beyond_the_margin(
    seed: int, rewritten: float, previous_deff: float
) -> None:
    sim = kyrgyz_2020(seed=seed, rewritten=rewritten)
    parties = sim.party_ids
    truth = official_ratios(sim.true_protocols, parties)
    official = official_ratios(sim.protocols, parties)
    d = design_sample(sim.election.stations, MARGIN, seed=100 + seed, design_effect=previous_deff)
    copies = {p.station: replace(p, source="observer:mission") for p in sim.true_protocols}
    est = estimate(d, {s: copies[s] for s in d.sample}, parties)
    moved = _assert_outside_when_moved(compare(est, official), official, truth, est)
    if rewritten >= 0.1:
        assert moved >= 1  # the beneficiary's share did move beyond the margin here
