"""The simulator: realistic scale, calibration, control relations and the truth it keeps."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.simulate import IRREGULARITIES, kyrgyz_2020, simulate_election
from shailoo.simulate.kyrgyzstan import PARTIES_2020, REGISTERED_2020


def _relations_hold(p) -> bool:  # one Protocol
    return (
        p.ballots_cast == p.invalid + p.against_all + p.party_votes
        and p.ballots_cast <= p.ballots_issued <= p.ballots_received
        and p.ballots_issued <= p.registered
    )


def test_kyrgyz_2020_scale_and_calibration() -> None:
    sim = kyrgyz_2020(seed=1)
    assert sim.n_stations == 2460
    assert int(sim.true.registered.sum()) == REGISTERED_2020
    regions = {s.region for s in sim.election.stations}
    assert regions == {
        "Batken", "Chui", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh", "Talas", "Bishkek", "Osh city"
    }  # fmt: skip
    assert sum(s.region == "Bishkek" for s in sim.election.stations) == 233
    assert sum(s.region == "Osh city" for s in sim.election.stations) == 76
    turnout = sim.true.ballots_cast.sum() / sim.true.registered.sum()
    assert 0.55 < turnout < 0.58
    valid = sim.true.votes.sum() + sim.true.against_all.sum()
    total_2020 = sum(v for _, _, v in PARTIES_2020) + 35_714
    for j, (pid, _, votes) in enumerate(PARTIES_2020):
        assert sim.party_ids[j] == pid
        assert abs(sim.true.votes[:, j].sum() / valid - votes / total_2020) < 0.003
    # heterogeneity: regions differ in the leader's share by more than sampling noise
    share = sim.true.votes[:, 0] / np.maximum(sim.true.ballots_cast, 1)
    by_region = [share[sim.regions == r].mean() for r in regions]
    assert max(by_region) - min(by_region) > 0.05
    assert sim.election.law_name == "kg-2020" and sim.election.law
    assert not any(sim.truth.values())


def test_clean_simulation_reports_what_was_counted() -> None:
    sim = kyrgyz_2020(seed=3)
    assert sim.protocols == sim.true_protocols
    assert all(_relations_hold(p) for p in sim.protocols)


def test_planted_irregularities_are_recorded_and_shift_the_numbers() -> None:
    clean = kyrgyz_2020(seed=5)
    sim = kyrgyz_2020(seed=5, stuffing=0.05, vote_buying_districts=3, carousel=0.02, rewritten=0.05)
    assert int(sim.masks["stuffing"].sum()) == round(0.05 * 2460)
    assert int(sim.masks["rewritten"].sum()) == round(0.05 * 2460)
    assert len(set(sim.districts[sim.masks["vote_buying"]])) == 3
    truth = sim.truth
    for kind in IRREGULARITIES:
        ids = {sid for sid, kinds in truth.items() if kind in kinds}
        assert len(ids) == int(sim.masks[kind].sum()) > 0
    # stuffing raised turnout by at least ~10 points where there was room
    st_mask = sim.masks["stuffing"] & ~sim.masks["vote_buying"] & ~sim.masks["carousel"]
    gain = (sim.true.ballots_issued - clean.true.ballots_issued)[st_mask] / sim.true.registered[
        st_mask
    ]
    room = 1 - clean.true.ballots_issued[st_mask] / clean.true.registered[st_mask]
    assert np.all(gain >= np.minimum(0.0995, room - 1e-9))
    # rewriting changes only the reported protocols, and only at rewritten stations
    differs = np.any(sim.true.votes != sim.reported.votes, axis=1)
    assert np.all(sim.masks["rewritten"][differs])
    assert differs.sum() > 0.9 * sim.masks["rewritten"].sum()
    b = sim.party_ids.index(sim.beneficiary)
    rw = sim.masks["rewritten"]
    assert np.all(sim.reported.votes[rw, b] >= sim.true.votes[rw, b])
    assert all(_relations_hold(p) for p in sim.protocols)
    assert all(_relations_hold(p) for p in sim.true_protocols)


def test_rewritten_protocols_heap_on_whole_percent() -> None:
    sim = simulate_election(4000, seed=2, rewritten=0.5, round_percent=1.0, mean_registered=2500)
    rw = sim.masks["rewritten"] & (sim.reported.ballots_cast >= 1000)
    turnout = 100 * sim.reported.ballots_issued[rw] / sim.reported.registered[rw]
    near = np.abs(turnout - np.rint(turnout)) <= 0.05
    assert near.mean() > 0.9


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 400),
    stuffing=st.floats(0, 1),
    carousel=st.floats(0, 1),
    rewritten=st.floats(0, 1),
    districts=st.integers(0, 5),
)
def test_every_protocol_adds_up(
    seed: int, n: int, stuffing: float, carousel: float, rewritten: float, districts: int
) -> None:
    sim = simulate_election(
        n,
        seed=seed,
        stuffing=stuffing,
        carousel=carousel,
        rewritten=rewritten,
        vote_buying_districts=districts,
        against_all=0.02,
    )
    for arrays in (sim.true, sim.reported):
        assert not arrays.violations().any()
        assert (arrays.votes >= 0).all()


def test_same_seed_same_election() -> None:
    a = simulate_election(300, seed=9, stuffing=0.1)
    b = simulate_election(300, seed=9, stuffing=0.1)
    assert np.array_equal(a.reported.votes, b.reported.votes)
    assert a.truth == b.truth


def test_unknown_beneficiary_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown beneficiary"):
        simulate_election(10, beneficiary="nobody")


def test_cli_writes_four_files(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    proc = subprocess.run(
        [sys.executable, "-m", "shailoo", "simulate", str(out), "--kyrgyz", "--stuffing", "0.05"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    with open(out / "protocols.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2460
    head = list(rows[0])
    # the canonical protocol file that 'shailoo import' reads (regions are in stations.csv)
    assert head[:7] == [
        "station", "registered", "ballots_received", "ballots_issued",
        "ballots_cast", "invalid", "against_all",
    ]  # fmt: skip
    assert head[7] == "birimdik" and len(head) == 7 + 16
    with open(out / "truth.csv", encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert sum(r["stuffing"] == "1" for r in truth) == 123
    for name in ("parties.csv", "stations.csv", "true_protocols.csv"):
        assert (out / name).stat().st_size > 0


def test_cli_rejects_bad_share(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "shailoo", "simulate", str(tmp_path), "--stuffing", "1.5"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert "--stuffing" in proc.stderr and "Traceback" not in proc.stderr


def test_election_carries_the_kg_2020_law_text(tmp_path: Path) -> None:
    from shailoo.law import load_law

    text = kyrgyz_2020(seed=1).election.law
    assert not text.startswith("# placeholder")
    path = tmp_path / "kg-2020.toml"
    path.write_text(text, encoding="utf-8")
    law = load_law(path)
    assert law.seats == 120


@pytest.mark.parametrize("n", [60, 240, 5000])
def test_scaled_country_keeps_its_shape(n: int) -> None:
    sim = kyrgyz_2020(seed=2, n_stations=n)
    assert sim.n_stations == n
    assert set(sim.regions) == {
        "Batken", "Chui", "Issyk-Kul", "Jalal-Abad", "Naryn", "Osh", "Talas", "Bishkek", "Osh city"
    }  # fmt: skip
    assert abs(sim.true.registered.sum() / n - REGISTERED_2020 / 2460) < 1
    assert not sim.true.violations().any()


def test_heterogeneity_and_size_spread_widen_the_country() -> None:
    def spread(**kw: float) -> tuple[float, float]:
        sim = simulate_election(6000, seed=4, **kw)  # type: ignore[arg-type]
        r = sim.reported
        t = r.ballots_issued / r.registered
        return float(np.std(t)), float(np.std(np.log(r.registered)))

    t_calm, s_calm = spread(heterogeneity=0.5, size_spread=0.3)
    t_wild, s_wild = spread(heterogeneity=2.0, size_spread=1.0)
    assert t_wild > 2 * t_calm and s_wild > 2 * s_calm
    # the default arguments still draw the same election (seeds reproduce earlier runs)
    a = simulate_election(500, seed=9)
    b = simulate_election(500, seed=9, heterogeneity=1.0, size_spread=0.45)
    assert np.array_equal(a.reported.votes, b.reported.votes)


def test_clustered_stuffing_stays_in_few_districts() -> None:
    sim = simulate_election(10_000, seed=5, stuffing=0.05, stuffing_districts=3,
                            stuffing_density=0.5)  # fmt: skip
    mask = sim.masks["stuffing"]
    assert abs(int(mask.sum()) - 500) <= 1
    hit = np.unique(sim.districts[mask])
    assert 3 <= hit.size <= 12
    # about half of the chosen districts' stations are stuffed
    in_chosen = np.isin(sim.districts, hit)
    assert 0.35 <= mask[in_chosen].mean() <= 0.65
    assert not sim.reported.violations().any()


def test_cli_clustered_stuffing_and_spreads(tmp_path: Path) -> None:
    out = tmp_path / "sim"
    args = [sys.executable, "-m", "shailoo", "simulate", str(out), "--stations", "2000",
            "--stuffing", "0.05", "--stuffing-districts", "2", "--heterogeneity", "1.5",
            "--size-spread", "0.8", "--quiet"]  # fmt: skip
    proc = subprocess.run(args, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    with open(out / "truth.csv", encoding="utf-8") as fh:
        stuffed = {r["station"] for r in csv.DictReader(fh) if r["stuffing"] == "1"}
    with open(out / "stations.csv", encoding="utf-8") as fh:
        districts = {r["district"] for r in csv.DictReader(fh) if r["station"] in stuffed}
    assert len(stuffed) == 100 and len(districts) <= 6
    bad = subprocess.run([*args[:5], "--size-spread", "-1"], capture_output=True, text=True)
    assert bad.returncode == 2 and "--size-spread" in bad.stderr and "Traceback" not in bad.stderr
