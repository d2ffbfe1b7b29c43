"""A plain synthetic election for tests, benchmarks and examples (no irregularities).

Unlike :mod:`shailoo.simulate`, which models real elections with planted fraud, this only makes
protocols that pass every check, cheaply and as a stream, so that imports of any size can be
exercised: ``sample_protocols`` yields one protocol at a time.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from shailoo.domain.model import Party, Protocol, Station


def sample_parties(n: int) -> tuple[Party, ...]:
    """``n`` parties ``p01``, ``p02``, …"""
    return tuple(Party(f"p{i + 1:02d}", f"Party {i + 1}") for i in range(n))


def sample_stations(n: int, regions: int = 9, seed: int = 0) -> tuple[Station, ...]:
    """``n`` stations ``s000001``, … spread over ``regions`` regions of 4 districts each."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        r = i % regions
        out.append(
            Station(
                f"s{i + 1:06d}",
                f"R{r + 1}",
                f"R{r + 1}-D{i // regions % 4 + 1}",
                rng.randint(300, 2500),
            )
        )
    return tuple(out)


def sample_protocols(
    stations: tuple[Station, ...], party_ids: tuple[str, ...], seed: int = 0
) -> Iterator[Protocol]:
    """One valid official protocol per station: 40–75 % turnout, 2 % invalid, 3 % against all."""
    rng = random.Random(seed)
    k = len(party_ids)
    for s in stations:
        cast = int(s.registered * rng.uniform(0.40, 0.75))
        invalid = cast // 50
        against = cast * 3 // 100
        valid_party = cast - invalid - against
        weights = [rng.random() + 0.05 for _ in range(k)]
        total_w = sum(weights)
        votes = [int(valid_party * w / total_w) for w in weights]
        votes[0] += valid_party - sum(votes)
        issued = cast + rng.randint(0, 5)
        yield Protocol(
            station=s.id,
            registered=s.registered,
            ballots_received=issued + rng.randint(0, 30),
            ballots_issued=issued,
            ballots_cast=cast,
            invalid=invalid,
            against_all=against,
            votes=dict(zip(party_ids, votes, strict=True)),
        )


def write_setup_files(
    folder: str, n_stations: int, n_parties: int, seed: int = 0
) -> tuple[tuple[Party, ...], tuple[Station, ...]]:
    """Write ``parties.csv`` and ``stations.csv`` into ``folder``; return what they hold."""
    import csv
    from pathlib import Path

    parties = sample_parties(n_parties)
    stations = sample_stations(n_stations, seed=seed)
    base = Path(folder)
    with (base / "parties.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name"])
        w.writerows([p.id, p.name] for p in parties)
    with (base / "stations.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["station", "region", "district", "registered"])
        w.writerows([s.id, s.region, s.district, s.registered] for s in stations)
    return parties, stations
