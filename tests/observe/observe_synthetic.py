"""A small synthetic election for the observer tests: regions, heterogeneous stations.

Independent of :mod:`shailoo.simulate` on purpose: the PVT coverage test needs a population
whose true national shares are known exactly and whose stations vary (support differs by region
and by station, station sizes differ), which is what makes cluster sampling wider than voter
sampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shailoo.domain.model import Protocol, Station

PARTIES = ("ata", "bir", "mek", "ray")


@dataclass(frozen=True)
class Population:
    """Stations and their true protocols."""

    stations: tuple[Station, ...]
    protocols: dict[str, Protocol]


def population(n_stations: int = 2000, n_regions: int = 9, seed: int = 1) -> Population:
    """A heterogeneous election: region-level and station-level support and turnout."""
    rng = np.random.default_rng(seed)
    stations: list[Station] = []
    protocols: dict[str, Protocol] = {}
    region_support = rng.dirichlet(np.full(len(PARTIES), 6.0), size=n_regions)
    region_turnout = rng.uniform(0.45, 0.75, size=n_regions)
    for i in range(n_stations):
        region = int(rng.integers(n_regions))
        sid = f"S{i:05d}"
        registered = int(rng.integers(300, 2500))
        turnout = float(np.clip(region_turnout[region] + rng.normal(0, 0.08), 0.1, 0.98))
        cast = int(rng.binomial(registered, turnout))
        invalid = int(rng.binomial(cast, 0.02))
        against = int(rng.binomial(cast - invalid, 0.01))
        support = rng.dirichlet(region_support[region] * 40)
        votes = rng.multinomial(cast - invalid - against, support)
        stations.append(Station(sid, f"R{region}", f"R{region}-D{i % 7}", registered))
        protocols[sid] = Protocol(
            station=sid,
            registered=registered,
            ballots_received=registered + 50,
            ballots_issued=cast,
            ballots_cast=cast,
            invalid=invalid,
            against_all=against,
            votes=dict(zip(PARTIES, (int(v) for v in votes), strict=True)),
        )
    return Population(tuple(stations), protocols)
