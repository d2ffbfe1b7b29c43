"""Synthetic elections with planted irregularities and the truth kept per station.

A clean election is drawn from a hierarchical model (region, district, urban or rural station,
then station noise) for turnout and for every party's support; counts are binomial and multinomial
draws, so they carry the sampling noise the forensic tests expect of honest counting. Irregularities
are then planted on chosen stations and recorded:

* ``stuffing``: ballots added to the box for the beneficiary, and the "issued" line raised to
  cover them (so the protocol still adds up), adding a chosen number of turnout points;
* ``vote_buying``: whole districts (clusters of stations) where a share of the non-voters is paid
  to vote for the beneficiary and some voters switch to it (turnout and share both up);
* ``carousel``: a small number of extra voters voting on pre-filled ballots for the beneficiary
  (a few turnout points, more diffuse than stuffing);
* ``rewritten``: the commission's protocol differs from the count: votes moved from the other
  parties to the beneficiary, and in some stations turnout and the beneficiary's share set to whole
  percentages (the fingerprint of Kobak, Shpilkin and Pshenichnikov 2016).

Stuffing, vote buying and carousel happen in the box, so both :attr:`SimulatedElection.true`
(what was counted) and :attr:`SimulatedElection.reported` (what the commission received) hold
them; rewriting changes only the reported protocols.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np

from shailoo.domain.model import Election, Party, Protocol, Station

#: kinds of planted irregularity, as they appear in :attr:`SimulatedElection.truth`
IRREGULARITIES: tuple[str, ...] = ("stuffing", "vote_buying", "carousel", "rewritten")

#: canonical protocol lines before the party columns (ledger issue)
PROTOCOL_LINES: tuple[str, ...] = (
    "registered",
    "ballots_received",
    "ballots_issued",
    "ballots_cast",
    "invalid",
    "against_all",
)


@dataclass(frozen=True)
class RegionSpec:
    """A region of the simulated country.

    ``share`` is its share of the electorate, ``stations`` a fixed number of stations (or None to
    allocate by share), ``districts`` how many districts it holds, ``urban`` the share of urban
    stations.
    """

    name: str
    share: float
    stations: int | None = None
    districts: int = 5
    urban: float = 0.3


@dataclass
class ProtocolArrays:
    """Protocol lines of every station as integer arrays (one row per station).

    ``votes`` has one column per party in ballot order.
    """

    registered: np.ndarray
    ballots_received: np.ndarray
    ballots_issued: np.ndarray
    ballots_cast: np.ndarray
    invalid: np.ndarray
    against_all: np.ndarray
    votes: np.ndarray

    def copy(self) -> ProtocolArrays:
        """A deep copy (the arrays are copied)."""
        return ProtocolArrays(
            registered=self.registered.copy(),
            ballots_received=self.ballots_received.copy(),
            ballots_issued=self.ballots_issued.copy(),
            ballots_cast=self.ballots_cast.copy(),
            invalid=self.invalid.copy(),
            against_all=self.against_all.copy(),
            votes=self.votes.copy(),
        )

    def violations(self) -> np.ndarray:
        """Boolean mask of stations whose protocol breaks a control relation.

        ballots_cast = invalid + against_all + party votes; ballots_cast <= ballots_issued <=
        ballots_received; ballots_issued <= registered; no negative line.
        """
        bad = self.ballots_cast != self.invalid + self.against_all + self.votes.sum(axis=1)
        bad |= self.ballots_cast > self.ballots_issued
        bad |= self.ballots_issued > self.ballots_received
        bad |= self.ballots_issued > self.registered
        for name in PROTOCOL_LINES:
            bad |= getattr(self, name) < 0
        bad |= (self.votes < 0).any(axis=1)
        return np.asarray(bad, dtype=bool)


@dataclass
class SimulatedElection:
    """A simulated election: stations, the counted and the reported protocols, and the truth.

    Arrays are the primary form (a million stations fit easily); the domain objects
    (:attr:`election`, :attr:`protocols`, :attr:`true_protocols`, :attr:`truth`) are built on
    first use.
    """

    election_id: str
    name: str
    law: str
    law_name: str
    date: str | None
    parties: tuple[Party, ...]
    station_ids: list[str]
    regions: np.ndarray
    districts: np.ndarray
    urban: np.ndarray
    true: ProtocolArrays
    reported: ProtocolArrays
    masks: dict[str, np.ndarray]
    beneficiary: str
    seed: int
    params: dict[str, object] = field(default_factory=dict)

    @property
    def party_ids(self) -> tuple[str, ...]:
        """Party ids in ballot order."""
        return tuple(p.id for p in self.parties)

    @property
    def n_stations(self) -> int:
        """Number of stations."""
        return len(self.station_ids)

    @cached_property
    def election(self) -> Election:
        """The election definition (parties, stations, law text)."""
        reg = self.true.registered.tolist()
        regions = self.regions.tolist()
        districts = self.districts.tolist()
        urban = self.urban.tolist()
        stations = tuple(
            Station(
                id=sid,
                region=regions[i],
                district=districts[i],
                registered=reg[i],
                extra={"urban": "1" if urban[i] else "0"},
            )
            for i, sid in enumerate(self.station_ids)
        )
        return Election(
            id=self.election_id,
            name=self.name,
            law=self.law,
            law_name=self.law_name,
            parties=self.parties,
            stations=stations,
            date=self.date,
        )

    def _protocols(self, arrays: ProtocolArrays) -> list[Protocol]:
        lines = [getattr(arrays, name).tolist() for name in PROTOCOL_LINES]
        votes = arrays.votes.tolist()
        ids = self.party_ids
        return [
            Protocol(
                sid,
                lines[0][i],
                lines[1][i],
                lines[2][i],
                lines[3][i],
                lines[4][i],
                lines[5][i],
                dict(zip(ids, votes[i], strict=True)),
            )
            for i, sid in enumerate(self.station_ids)
        ]

    @cached_property
    def protocols(self) -> list[Protocol]:
        """What the commission received (after any planted rewriting)."""
        return self._protocols(self.reported)

    @cached_property
    def true_protocols(self) -> list[Protocol]:
        """What was really counted at each station (observers' copies use these)."""
        return self._protocols(self.true)

    @cached_property
    def truth(self) -> dict[str, set[str]]:
        """Planted irregularities per station id (an empty set for a clean station)."""
        out: dict[str, set[str]] = {sid: set() for sid in self.station_ids}
        for kind, mask in self.masks.items():
            for i in np.flatnonzero(mask).tolist():
                out[self.station_ids[i]].add(kind)
        return out

    @property
    def clean(self) -> np.ndarray:
        """Boolean mask of stations with no planted irregularity."""
        any_ = np.zeros(self.n_stations, dtype=bool)
        for mask in self.masks.values():
            any_ |= mask
        return ~any_

    def write_csv(self, path: str | Path, *, true: bool = False, labels: bool = False) -> None:
        """Write the canonical protocol CSV (reported protocols, or the counted ones if ``true``).

        Columns: ``station,registered,ballots_received,ballots_issued,ballots_cast,invalid,
        against_all`` then one column per party id, as ``shailoo import`` reads them; with
        ``labels`` also ``region,district`` after ``station`` (the importer rejects those; the
        forensics reader takes them, or joins ``stations.csv`` with ``--stations``).
        """
        arrays = self.true if true else self.reported
        label_cols = ["region", "district"] if labels else []
        header = ["station", *label_cols, *PROTOCOL_LINES, *self.party_ids]
        numbers = np.column_stack([getattr(arrays, n) for n in PROTOCOL_LINES] + [arrays.votes])
        regions = self.regions.tolist()
        districts = self.districts.tolist()
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            for i, row in enumerate(numbers.tolist()):
                extra = [regions[i], districts[i]] if labels else []
                writer.writerow([self.station_ids[i], *extra, *row])

    def write_stations_csv(self, path: str | Path) -> None:
        """Write ``station,region,district,registered,urban``."""
        reg = self.true.registered.tolist()
        regions = self.regions.tolist()
        districts = self.districts.tolist()
        urban = self.urban.tolist()
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["station", "region", "district", "registered", "urban"])
            for i, sid in enumerate(self.station_ids):
                writer.writerow([sid, regions[i], districts[i], reg[i], int(urban[i])])

    def write_parties_csv(self, path: str | Path) -> None:
        """Write ``id,name`` in ballot order."""
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id", "name"])
            for p in self.parties:
                writer.writerow([p.id, p.name])

    def write_truth_csv(self, path: str | Path) -> None:
        """Write ``station,kinds`` (semicolon-separated) then one 0/1 column per kind."""
        kinds = list(self.masks)
        cols = [self.masks[k].astype(int).tolist() for k in kinds]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["station", "kinds", *kinds])
            for i, sid in enumerate(self.station_ids):
                flags = [c[i] for c in cols]
                names = ";".join(k for k, f in zip(kinds, flags, strict=True) if f)
                writer.writerow([sid, names, *flags])


def _expit(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def _allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` by ``weights`` with largest remainders (every part at least 1)."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    base = np.maximum(np.floor(exact).astype(int), 1)
    rest = total - int(base.sum())
    order = np.argsort(-(exact - np.floor(exact)))
    for j in order[: max(rest, 0)]:
        base[j] += 1
    return [int(x) for x in base]


def _generic_regions(n_stations: int) -> list[RegionSpec]:
    n_regions = 10
    shares = [0.16, 0.14, 0.12, 0.11, 0.10, 0.09, 0.08, 0.07, 0.07, 0.06]
    districts = max(1, n_stations // (100 * n_regions))
    return [
        RegionSpec(f"Region {k + 1:02d}", shares[k], None, districts, 0.2 + 0.05 * k)
        for k in range(n_regions)
    ]


_GENERIC_PARTIES: tuple[tuple[str, str, float], ...] = (
    ("A", "Party A", 0.34),
    ("B", "Party B", 0.21),
    ("C", "Party C", 0.14),
    ("D", "Party D", 0.10),
    ("E", "Party E", 0.08),
    ("F", "Party F", 0.06),
    ("G", "Party G", 0.04),
    ("H", "Party H", 0.03),
)


def _pick_clustered(
    rng: np.random.Generator,
    district: np.ndarray,
    n_districts: int,
    fraction: float,
    k: int,
    density: float = 1.0,
) -> np.ndarray:
    """``fraction`` of all stations, drawn from at least ``k`` random districts, taking about
    ``density`` of the stations of each chosen district."""
    want = int(round(fraction * district.size))
    order = rng.permutation(n_districts)
    chosen: list[int] = []
    room = 0
    for d in order.tolist():
        if len(chosen) >= k and density * room >= want:
            break
        chosen.append(d)
        room += int((district == d).sum())
    pool = np.flatnonzero(np.isin(district, chosen))
    mask = np.zeros(district.size, dtype=bool)
    mask[rng.choice(pool, size=min(want, pool.size), replace=False)] = True
    return mask


def _pick(rng: np.random.Generator, n: int, fraction: float) -> np.ndarray:
    """Mask of exactly round(fraction * n) stations drawn without replacement."""
    mask = np.zeros(n, dtype=bool)
    k = int(round(fraction * n))
    if k > 0:
        mask[rng.choice(n, size=min(k, n), replace=False)] = True
    return mask


def simulate_election(
    n_stations: int = 2_460,
    *,
    seed: int = 0,
    regions: Sequence[RegionSpec] | None = None,
    parties: Sequence[tuple[str, str, float]] | None = None,
    against_all: float = 0.0,
    turnout: float = 0.6,
    invalid: float = 0.02,
    registered_total: int | None = None,
    mean_registered: float = 1_400.0,
    beneficiary: str | None = None,
    stuffing: float = 0.0,
    stuffing_points: tuple[float, float] = (0.10, 0.30),
    vote_buying_districts: int | Iterable[str] = 0,
    vote_buying_rate: tuple[float, float] = (0.05, 0.20),
    carousel: float = 0.0,
    carousel_points: tuple[float, float] = (0.02, 0.08),
    rewritten: float = 0.0,
    rewritten_moved: tuple[float, float] = (0.10, 0.40),
    round_percent: float = 0.5,
    heterogeneity: float = 1.0,
    size_spread: float = 0.45,
    stuffing_districts: int = 0,
    stuffing_density: float = 1.0,
    election_id: str = "sim",
    name: str = "Simulated election",
    law: str = "",
    law_name: str = "",
    date: str | None = None,
) -> SimulatedElection:
    """Draw a synthetic election with planted irregularities.

    ``parties`` are ``(id, name, national share of valid votes)``; ``against_all`` is the share of
    valid votes against all (0 for none). Fractions (``stuffing``, ``carousel``, ``rewritten``)
    are shares of stations; ``vote_buying_districts`` is a number of districts drawn at random or
    the district names. ``beneficiary`` (default the first party) receives the planted votes.
    Every protocol, counted and reported, satisfies the control relations.
    ``heterogeneity`` multiplies every regional, district, urban and station spread of turnout
    and support (0.5 a homogeneous country, 2 a strongly divided one); ``size_spread`` is the
    log-sd of station sizes (0.45 by default; 1.0 gives many tiny and a few huge stations);
    ``stuffing_districts`` > 0 puts all the stuffed stations in that many districts (clustered)
    instead of spreading them over the country, filling districts until ``stuffing_density``
    of their stations are stuffed (1.0: whole districts; 0.5: half the stations of each).

    Example: ``simulate_election(10_000, seed=3, stuffing=0.05)``.
    """
    if n_stations < 1:
        raise ValueError("n_stations must be at least 1")
    rng = np.random.default_rng(seed)
    region_specs = list(regions) if regions is not None else _generic_regions(n_stations)
    party_specs = list(parties) if parties is not None else list(_GENERIC_PARTIES)
    party_objs = tuple(Party(pid, pname) for pid, pname, _ in party_specs)
    ids = [p.id for p in party_objs]
    if beneficiary is not None and beneficiary not in ids:
        raise ValueError(f"unknown beneficiary party {beneficiary!r} (parties: {', '.join(ids)})")
    b = ids.index(beneficiary) if beneficiary is not None else 0

    # --- stations per region and district -------------------------------------------------
    fixed = sum(r.stations or 0 for r in region_specs)
    free = [r for r in region_specs if r.stations is None]
    if fixed and fixed + len(free) > n_stations:
        # fewer stations than the regions with a fixed count hold: shrink those counts in
        # proportion (at least one station each), so that n_stations is honoured
        room = max(n_stations - len(free), 0)
        scaled = _allocate(room, [r.stations or 0 for r in region_specs if r.stations])
        it_fixed = iter(scaled)
        region_specs = [
            RegionSpec(r.name, r.share, next(it_fixed), r.districts, r.urban) if r.stations else r
            for r in region_specs
        ]
        fixed = sum(r.stations or 0 for r in region_specs)
        free = [r for r in region_specs if r.stations is None]
    free_counts = (
        _allocate(max(n_stations - fixed, len(free)), [r.share for r in free]) if free else []
    )
    counts: list[int] = []
    it = iter(free_counts)
    for r in region_specs:
        counts.append(r.stations if r.stations is not None else next(it))
    n = sum(counts)
    region_idx = np.repeat(np.arange(len(region_specs)), counts)
    district_idx = np.empty(n, dtype=np.int64)
    district_names: list[str] = []
    start = 0
    for r, c in zip(region_specs, counts, strict=True):
        nd = max(1, min(r.districts, c))
        # uneven district sizes, as real districts are: Dirichlet weights
        w = rng.dirichlet(np.full(nd, 4.0))
        local = np.sort(rng.choice(nd, size=c, p=w))
        district_idx[start : start + c] = len(district_names) + local
        district_names.extend(f"{r.name} {j + 1:02d}" for j in range(nd))
        start += c
    n_districts = len(district_names)
    urban_share = np.array([r.urban for r in region_specs])
    urban = rng.random(n) < urban_share[region_idx]

    # --- registered voters: urban stations larger; regions scaled to their share ------------
    total = registered_total if registered_total is not None else int(mean_registered * n)
    size = np.exp(rng.normal(np.where(urban, math.log(1.4), math.log(0.8)), size_spread))
    shares = np.array([r.share for r in region_specs], dtype=float)
    shares = shares / shares.sum()
    region_size = np.bincount(region_idx, weights=size, minlength=len(region_specs))
    scale = total * shares / np.maximum(region_size, 1e-12)
    registered = np.clip(np.rint(size * scale[region_idx]), 30, 6_000).astype(np.int64)
    diff = total - int(registered.sum())
    if diff != 0 and abs(diff) < n * 20:
        # put the rounding residual back one voter at a time on random stations
        idx = rng.choice(n, size=abs(diff), replace=True)
        np.add.at(registered, idx, 1 if diff > 0 else -1)
        registered = np.maximum(registered, 30)

    # --- turnout: logit-normal with region, district, urban and station effects ------------
    hg = heterogeneity
    eta = (
        rng.normal(0, 0.25 * hg, len(region_specs))[region_idx]
        + rng.normal(0, 0.20 * hg, n_districts)[district_idx]
        - 0.35 * hg * urban
        + rng.normal(0, 0.30 * hg, n)
    )
    lo, hi = -10.0, 10.0
    for _ in range(60):  # bisection: shift so that the national turnout is the target
        mid = 0.5 * (lo + hi)
        t = float((registered * _expit(eta + mid)).sum() / registered.sum())
        lo, hi = (mid, hi) if t < turnout else (lo, mid)
    p_turnout = _expit(eta + 0.5 * (lo + hi))
    conc = 80.0
    p_invalid = rng.beta(invalid * conc, (1 - invalid) * conc, n)

    # --- support: multinomial logit with region, district, urban effects -------------------
    targets = np.array([s for _, _, s in party_specs] + ([against_all] if against_all > 0 else []))
    targets = targets / targets.sum()
    k = len(targets)
    logits = (
        rng.normal(0, 0.45 * hg, (len(region_specs), k))[region_idx]
        + rng.normal(0, 0.25 * hg, (n_districts, k))[district_idx]
        + rng.normal(0, 0.30 * hg, k)[None, :] * urban[:, None]
        + rng.normal(0, 0.15 * hg, (n, k))
    )
    weight = registered * p_turnout * (1 - p_invalid)
    intercept = np.log(targets)
    for _ in range(40):  # fixed point: national expected shares equal the targets
        z = logits + intercept
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        achieved = weight @ p / weight.sum()
        intercept += np.log(targets / achieved)
    z = logits + intercept
    z -= z.max(axis=1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    del logits, z

    # --- honest counts ----------------------------------------------------------------------
    issued = rng.binomial(registered, p_turnout)
    # a few voters take their ballot away instead of casting it
    cast = issued - rng.binomial(issued, 0.002)
    inval = rng.binomial(cast, p_invalid)
    remaining = cast - inval
    options = np.zeros((n, k), dtype=np.int64)
    rest = np.ones(n)
    for j in range(k - 1):  # multinomial as a chain of conditional binomials (vectorised)
        q = np.clip(p[:, j] / np.maximum(rest, 1e-12), 0.0, 1.0)
        options[:, j] = rng.binomial(remaining, q)
        remaining = remaining - options[:, j]
        rest = rest - p[:, j]
    options[:, k - 1] = remaining
    del p
    n_parties = len(party_specs)
    votes = np.ascontiguousarray(options[:, :n_parties])
    against = options[:, n_parties] if against_all > 0 else np.zeros(n, dtype=np.int64)
    received = (np.ceil(registered / 10.0) * 10).astype(np.int64)
    true = ProtocolArrays(registered, received, issued, cast, inval, against.copy(), votes)

    masks: dict[str, np.ndarray] = {}
    # --- vote buying: whole districts -----------------------------------------------------
    if isinstance(vote_buying_districts, int):
        chosen = (
            rng.choice(n_districts, size=min(vote_buying_districts, n_districts), replace=False)
            if vote_buying_districts > 0
            else np.array([], dtype=np.int64)
        )
    else:
        wanted = set(vote_buying_districts)
        unknown = wanted - set(district_names)
        if unknown:
            raise ValueError(f"unknown districts for vote buying: {sorted(unknown)}")
        chosen = np.array([i for i, d in enumerate(district_names) if d in wanted], dtype=np.int64)
    vb = np.isin(district_idx, chosen)
    masks["vote_buying"] = vb
    if vb.any():
        rate = rng.uniform(*vote_buying_rate, n_districts)[district_idx[vb]]
        bought = rng.binomial(true.registered[vb] - true.ballots_issued[vb], rate)
        sub = true.votes[vb]
        # some voters who came anyway are paid to switch (a quarter of the bought rate)
        switched = rng.binomial(sub, (rate / 4)[:, None])
        switched[:, b] = 0
        sub -= switched
        sub[:, b] += switched.sum(axis=1) + bought
        true.votes[vb] = sub
        true.ballots_issued[vb] += bought
        true.ballots_cast[vb] += bought

    def add_for_beneficiary(mask: np.ndarray, points: tuple[float, float]) -> None:
        room = true.registered[mask] - true.ballots_issued[mask]
        extra = np.rint(rng.uniform(*points, int(mask.sum())) * true.registered[mask])
        extra = np.minimum(extra.astype(np.int64), room)
        true.ballots_issued[mask] += extra
        true.ballots_cast[mask] += extra
        true.votes[mask, b] += extra

    masks["carousel"] = _pick(rng, n, carousel)
    add_for_beneficiary(masks["carousel"], carousel_points)
    if stuffing_districts > 0 and stuffing > 0:
        # clustered: the stuffed stations all lie in a few districts (a captured apparatus)
        masks["stuffing"] = _pick_clustered(
            rng, district_idx, n_districts, stuffing, stuffing_districts, stuffing_density
        )
    else:
        masks["stuffing"] = _pick(rng, n, stuffing)
    add_for_beneficiary(masks["stuffing"], stuffing_points)

    # --- rewriting: only the reported protocols change --------------------------------------
    reported = true.copy()
    rw = _pick(rng, n, rewritten)
    masks["rewritten"] = rw
    if rw.any():
        idx = np.flatnonzero(rw)
        moved_frac = rng.uniform(*rewritten_moved, idx.size)
        sub = reported.votes[idx]
        moved = np.floor(sub * moved_frac[:, None]).astype(np.int64)
        moved[:, b] = 0
        sub -= moved
        sub[:, b] += moved.sum(axis=1)
        # some protocols are also set to whole percentages of turnout and of the beneficiary
        rounded = rng.random(idx.size) < round_percent
        reg = reported.registered[idx]
        iss = reported.ballots_issued[idx]
        cast_r = reported.ballots_cast[idx]
        pct = np.ceil(100.0 * iss / reg)
        new_iss = np.minimum(np.rint(pct * reg / 100.0).astype(np.int64), reg)
        add = np.where(rounded, np.maximum(new_iss - iss, 0), 0)
        iss = iss + add
        cast_r = cast_r + add
        sub[:, b] += add
        share_pct = np.ceil(100.0 * sub[:, b] / np.maximum(cast_r, 1))
        want = np.minimum(np.rint(share_pct * cast_r / 100.0).astype(np.int64), cast_r)
        need = np.where(rounded, np.maximum(want - sub[:, b], 0), 0)
        others = sub.copy()
        others[:, b] = -1
        donor = others.argmax(axis=1)
        rows = np.arange(idx.size)
        take = np.minimum(need, sub[rows, donor])
        sub[rows, donor] -= take
        sub[:, b] += take
        reported.votes[idx] = sub
        reported.ballots_issued[idx] = iss
        reported.ballots_cast[idx] = cast_r

    width = max(4, len(str(n)))
    station_ids = [f"{i + 1:0{width}d}" for i in range(n)]
    regions_arr = np.array([r.name for r in region_specs], dtype=object)[region_idx]
    districts_arr = np.array(district_names, dtype=object)[district_idx]
    sim = SimulatedElection(
        election_id=election_id,
        name=name,
        law=law,
        law_name=law_name,
        date=date,
        parties=party_objs,
        station_ids=station_ids,
        regions=regions_arr,
        districts=districts_arr,
        urban=urban,
        true=true,
        reported=reported,
        masks={kind: masks[kind] for kind in IRREGULARITIES},
        beneficiary=ids[b],
        seed=seed,
        params={
            "stuffing": stuffing,
            "stuffing_points": stuffing_points,
            "vote_buying_districts": [district_names[i] for i in np.asarray(chosen).tolist()],
            "carousel": carousel,
            "rewritten": rewritten,
            "round_percent": round_percent,
            "heterogeneity": heterogeneity,
            "size_spread": size_spread,
            "stuffing_districts": stuffing_districts,
            "stuffing_density": stuffing_density,
        },
    )
    assert not sim.true.violations().any() and not sim.reported.violations().any()
    return sim
