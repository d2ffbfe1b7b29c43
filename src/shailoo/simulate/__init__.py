"""Synthetic elections with planted irregularities (demo, tests, benchmarks).

>>> from shailoo.simulate import kyrgyz_2020
>>> sim = kyrgyz_2020(seed=1, stuffing=0.05)
>>> len(sim.protocols), sum(len(k) > 0 for k in sim.truth.values())  # doctest: +SKIP
"""

from shailoo.simulate.model import (
    IRREGULARITIES,
    PROTOCOL_LINES,
    ProtocolArrays,
    RegionSpec,
    SimulatedElection,
    simulate_election,
)
from shailoo.simulate.presets import kyrgyz_2020

__all__ = [
    "IRREGULARITIES",
    "PROTOCOL_LINES",
    "ProtocolArrays",
    "RegionSpec",
    "SimulatedElection",
    "kyrgyz_2020",
    "simulate_election",
]
