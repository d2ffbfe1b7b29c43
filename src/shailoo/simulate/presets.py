"""Ready-made simulated elections: Kyrgyzstan 2020 at its real scale."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources

from shailoo.simulate.kyrgyzstan import (
    AGAINST_ALL_2020,
    PARTIES_2020,
    REGIONS_2020,
    REGISTERED_2020,
    STATIONS_2020,
    TOOK_PART_2020,
)
from shailoo.simulate.model import RegionSpec, SimulatedElection, simulate_election

#: law text used until the kg-2020 preset of :mod:`shailoo.law` exists
PLACEHOLDER_LAW = (
    '# placeholder: the kg-2020 preset of shailoo.law was not available\nname = "kg-2020"\n'
)


def kg_2020_law_text() -> str:
    """The TOML text of the ``kg-2020`` law preset, or a placeholder if it is not installed."""
    try:
        path = resources.files("shailoo.law").joinpath("presets/kg-2020.toml")
        if path.is_file():
            return path.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # pragma: no cover - law layer absent
        pass
    return PLACEHOLDER_LAW


def kyrgyz_2020(
    seed: int = 1,
    *,
    stuffing: float = 0.0,
    vote_buying_districts: int | Iterable[str] = 0,
    carousel: float = 0.0,
    rewritten: float = 0.0,
    beneficiary: str = "birimdik",
    n_stations: int = STATIONS_2020,
    **options: object,
) -> SimulatedElection:
    """A simulated Jogorku Kenesh election of 4 October 2020.

    2,460 stations in the 9 regions (Bishkek 233 and Osh city 76 stations, the oblasts by their
    share of the electorate), 3,523,554 registered (``n_stations`` scales the country: station
    counts and electorate in proportion), turnout about 56.5 %, 16 parties
    plus against all calibrated to the CEC preliminary shares of 5 October 2020. Clean by
    default; irregularities as in :func:`~shailoo.simulate.simulate_election`, all for
    ``beneficiary``.

    Example: ``kyrgyz_2020(seed=1, stuffing=0.05, vote_buying_districts=3)``.
    """
    # a scaled-down (or up) country keeps the real shape: fixed station counts and the
    # electorate scale with the number of stations
    factor = n_stations / STATIONS_2020
    regions = [
        RegionSpec(name, share, None if fixed is None else max(1, round(fixed * factor)), d, u)
        for name, share, fixed, d, u in REGIONS_2020
    ]
    valid = sum(v for _, _, v in PARTIES_2020) + AGAINST_ALL_2020
    invalid = (TOOK_PART_2020 - valid) / TOOK_PART_2020
    return simulate_election(
        n_stations,
        seed=seed,
        regions=regions,
        parties=[(pid, pname, v / valid) for pid, pname, v in PARTIES_2020],
        against_all=AGAINST_ALL_2020 / valid,
        turnout=TOOK_PART_2020 / REGISTERED_2020,
        invalid=invalid,
        registered_total=round(REGISTERED_2020 * factor),
        beneficiary=beneficiary,
        stuffing=stuffing,
        vote_buying_districts=vote_buying_districts,
        carousel=carousel,
        rewritten=rewritten,
        election_id=f"kg-2020-sim-{seed}",
        name="Jogorku Kenesh, 4 October 2020 (simulated)",
        law=kg_2020_law_text(),
        law_name="kg-2020",
        date="2020-10-04",
        **options,  # type: ignore[arg-type]
    )
