"""Shared helpers of the forensics tests: simulated tables and the real-data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from shailoo.forensics import StationTable
from shailoo.simulate import SimulatedElection


def sim_table(sim: SimulatedElection, *, true: bool = False) -> StationTable:
    """The reported (or counted) protocols of a simulation as a StationTable."""
    r = sim.true if true else sim.reported
    return StationTable(
        stations=sim.station_ids,
        registered=r.registered,
        ballots_issued=r.ballots_issued,
        ballots_cast=r.ballots_cast,
        votes=r.votes,
        parties=list(sim.party_ids),
        invalid=r.invalid,
        against_all=r.against_all,
        region=sim.regions,
        district=sim.districts,
        source="simulated",
    )


def data_dir() -> Path:
    """``$SHAILOO_DATA`` or ``../shared/data`` beside the repository."""
    env = os.environ.get("SHAILOO_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def need_data(*parts: str) -> Path:
    """The path of a real-data file; skip if absent, fail if SHAILOO_REQUIRE_DATA=1."""
    path = data_dir().joinpath(*parts)
    if not path.exists():
        if os.environ.get("SHAILOO_REQUIRE_DATA") == "1":
            pytest.fail(f"real data required but missing: {path}")
        pytest.skip(f"real data not present: {path}")
    return path
