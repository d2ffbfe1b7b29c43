"""The margin of the outcome, checked against brute force on small elections."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from shailoo.domain.errors import LawError
from shailoo.domain.model import VoteTotals
from shailoo.law import Law, allocate, parse_law
from shailoo.tally.margin import find_margin

METHODS = ("hare", "droop", "dhondt", "sainte-lague", "imperiali", "hagenbach-bischoff")


def law_text(method: str, seats: int, threshold: int | None, base: str, cap: int | None) -> str:
    lines = ['name = "t"', f"seats = {seats}", f'method = "{method}"']
    if threshold is not None:
        lines += [f'threshold = "{threshold}%"', f'threshold_base = "{base}"']
    if cap is not None:
        lines.append(f"max_seats_per_party = {cap}")
    return "\n".join(lines) + "\n"


def seats_or_none(law: Law, t: VoteTotals) -> object:
    try:
        return allocate(law, t, explain=False).seats
    except LawError as exc:
        return str(exc)


def moved(t: VoteTotals, a: str, b: str, v: int) -> VoteTotals:
    votes = dict(t.votes)
    votes[a] -= v
    votes[b] += v
    return VoteTotals(votes, t.registered, t.ballots_cast, t.invalid, t.against_all)


def brute(law: Law, t: VoteTotals) -> int | None:
    base = seats_or_none(law, t)
    best = None
    for a in t.votes:
        for b in t.votes:
            if a == b:
                continue
            for v in range(1, t.votes[a] + 1):
                if best is not None and v >= best:
                    break
                if seats_or_none(law, moved(t, a, b, v)) != base:
                    best = v
                    break
    return best


elections = st.tuples(
    st.lists(st.integers(0, 60), min_size=2, max_size=4),
    st.sampled_from(METHODS),
    st.integers(1, 7),
    st.one_of(st.none(), st.integers(5, 30)),
    st.sampled_from(("party_votes", "valid", "ballots_cast")),
    st.integers(0, 15),
    st.integers(0, 10),
)


@settings(max_examples=400, deadline=None)
@given(elections)
def test_margin_equals_brute_force(case: tuple) -> None:  # type: ignore[type-arg]
    votes, method, seats, threshold, base, against, invalid = case
    parties = {f"P{i}": v for i, v in enumerate(votes)}
    t = VoteTotals(
        parties,
        registered=10_000,
        ballots_cast=sum(votes) + against + invalid,
        invalid=invalid,
        against_all=against,
    )
    law = parse_law(law_text(method, seats, threshold, base, None))
    assume(not isinstance(seats_or_none(law, t), str))
    expected = brute(law, t)
    got_seats, move = find_margin(law, t)
    assert got_seats == allocate(law, t, explain=False).seats
    assert (move.votes if move else None) == expected
    if move is not None:
        assert seats_or_none(law, moved(t, move.source, move.target, move.votes)) != got_seats
        assert move.gains or move.loses
    # forcing bisection everywhere: exact answers must still be the brute-force ones
    _, bisected = find_margin(law, t, scan_limit=0)
    if bisected is not None and bisected.exact:
        assert bisected.votes == expected
    elif bisected is not None:
        assert expected is not None and bisected.votes >= expected


def test_kyrgyz_2020_margin_is_mekenchils_shortfall() -> None:
    # CEC preliminary figures of 5 Oct 2020 (see the seats issue): Mekenchil had 136,276 votes
    # of 1,990,753 voters who took part; 7 % of them is 139,352.71, so 3,077 more votes pass it.
    from shailoo.law import load_law

    law = load_law("kg-2020")
    votes = {
        "birimdik": 487_685,
        "mekenim": 475_372,
        "kyrgyzstan": 174_317,
        "butun": 141_940,
        "mekenchil": 136_276,
        "respublika": 115_288,
        "ata-meken": 80_279,
        "yiman-nuru": 66_747,
        "bir-bol": 60_305,
        "chon-kazat": 46_568,
        "zamandash": 42_862,
        "sdpk": 42_460,
        "reforma": 32_795,
        "meken-yntymagy": 12_468,
        "ordo": 4_395,
        "veterans": 3_459,
    }
    t = VoteTotals(votes, registered=3_523_554, ballots_cast=1_990_753, against_all=35_714)
    seats, move = find_margin(law, t)
    assert [seats[p] for p in ("birimdik", "mekenim", "kyrgyzstan", "butun")] == [46, 45, 16, 13]
    assert move is not None
    # The cheapest change: some party's seat moves by largest remainder, or Mekenchil crosses
    # the threshold (3,077 votes). Whatever it is, it is at most that, and it is real.
    assert move.votes <= 3_077
    assert allocate(law, moved(t, move.source, move.target, move.votes)).seats != seats


def regional_brute(law: Law, nat: VoteTotals, regions: dict[str, VoteTotals]) -> int | None:
    def seats_of(n: VoteTotals, rs: dict[str, VoteTotals]) -> object:
        try:
            return allocate(law, n, rs, explain=False).seats
        except LawError as exc:
            return str(exc)

    base = seats_of(nat, regions)
    r1, r2 = list(regions)
    best = None
    for a in nat.votes:
        for b in nat.votes:
            if a == b:
                continue
            for v in range(1, nat.votes[a] + 1):
                if best is not None and v >= best:
                    break
                for v1 in range(max(0, v - regions[r2].votes[a]), min(v, regions[r1].votes[a]) + 1):
                    rs = {r1: moved(regions[r1], a, b, v1), r2: moved(regions[r2], a, b, v - v1)}
                    if seats_of(moved(nat, a, b, v), rs) != base:
                        best = v
                        break
                if best == v:
                    break
    return best


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=2, max_size=4),
    st.sampled_from(("hare", "dhondt", "droop")),
    st.integers(1, 6),
    st.integers(5, 25),
    st.one_of(st.none(), st.integers(3, 20)),
)
def test_margin_with_regional_threshold_equals_brute_force(
    cells: list[tuple[int, int]], method: str, seats: int, regional: int, national: int | None
) -> None:
    parties = [f"P{i}" for i in range(len(cells))]
    regions = {}
    for k, r in enumerate(("R1", "R2")):
        votes = {p: c[k] for p, c in zip(parties, cells, strict=True)}
        regions[r] = VoteTotals(votes, ballots_cast=sum(votes.values()) + 2, against_all=2)
    nat_votes = {p: c[0] + c[1] for p, c in zip(parties, cells, strict=True)}
    nat = VoteTotals(nat_votes, ballots_cast=sum(nat_votes.values()) + 4, against_all=4)
    text = law_text(method, seats, national, "ballots_cast", None)
    text += f'regional_threshold = "{regional}%"\nregional_threshold_base = "ballots_cast"\n'
    law = parse_law(text)
    try:
        base = allocate(law, nat, regions, explain=False).seats
    except LawError:
        assume(False)
    expected = regional_brute(law, nat, regions)
    got, move = find_margin(law, nat, regions)
    assert got == base
    assert (move.votes if move else None) == expected


def test_disputed_ballots_against_the_margin() -> None:
    from tally_factory import Ledger, protocol, small_election

    from shailoo.domain.events import INCIDENT_REPORTED
    from shailoo.tally import Tally
    from shailoo.tally.margin import margin_for_tally

    law = 'name = "t"\nseats = 10\nmethod = "hare"\n'
    e = small_election(law=law, registered=1000)
    led = Ledger(e)
    for sid in ("N1-1", "N1-2", "N2-1", "S1-1", "S1-2"):
        led.record(protocol(sid, {"A": 500, "B": 300, "C": 200}, registered=1000))
    full = margin_for_tally(Tally.rebuild(e, led.events))
    assert full.seats == {"A": 5, "B": 3, "C": 2}
    assert full.move is not None and full.disputed is not None
    assert full.disputed.ballots == 0 and full.could_change is False
    # Without S1-2 (Hare, 4,000 votes, quota 400: A 2,000, B 1,200, C 800, exactly 5 / 3 / 2
    # quotas) 200 votes from B to A leave both half a quota over, and the law's tie rule (more
    # votes first) gives A the seat; one annulled station's 1,000 ballots are more than that.
    led.decide("D1", "annul", "station", "S1-2")
    t = Tally.rebuild(e, led.events)
    m = margin_for_tally(t)
    assert m.disputed is not None and dict(m.disputed.annulled) == {"S1-2": 1000}
    assert m.move is not None and m.move.votes == 200 and m.could_change is True
    assert (m.move.gains, m.move.loses) == ({"A": 1}, {"B": 1})
    led.add(INCIDENT_REPORTED, {"incident_id": "I1", "station": "N1-1"})
    m = margin_for_tally(Tally.rebuild(e, led.events))
    assert m.disputed is not None and dict(m.disputed.flagged) == {"N1-1": 1000}
    assert m.to_json()["disputed"]["ballots"] == 2000


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 25), st.integers(0, 25)), min_size=2, max_size=3),
    st.sampled_from(("hare", "dhondt", "sainte-lague")),
    st.integers(1, 4),
    st.integers(1, 4),
    st.one_of(st.none(), st.integers(5, 30)),
)
def test_margin_with_districts_equals_brute_force(
    cells: list[tuple[int, int]], method: str, s1: int, s2: int, threshold: int | None
) -> None:
    parties = [f"P{i}" for i in range(len(cells))]
    text = f'name = "d"\nmethod = "{method}"\n'
    if threshold is not None:
        text += f'threshold = "{threshold}%"\nthreshold_base = "party_votes"\n'
    text += f"[districts]\nD1 = {s1}\nD2 = {s2}\n"
    law = parse_law(text)
    districts = {
        d: VoteTotals({p: c[k] for p, c in zip(parties, cells, strict=True)})
        for k, d in enumerate(("D1", "D2"))
    }
    nat = VoteTotals({p: c[0] + c[1] for p, c in zip(parties, cells, strict=True)})

    def seats_of(ds: dict[str, VoteTotals]) -> object:
        try:
            return allocate(law, nat, None, ds, explain=False).seats
        except LawError as exc:
            return str(exc)

    base = seats_of(districts)
    assume(not isinstance(base, str))
    # Each district is allocated on its own votes only, so a move spread over two districts
    # changes the seats only if its part in one district does: single-district moves suffice.
    best = None
    for a in parties:
        for b in parties:
            if a == b:
                continue
            for d in districts:
                for v in range(1, districts[d].votes[a] + 1):
                    if best is not None and v >= best:
                        break
                    if seats_of({**districts, d: moved(districts[d], a, b, v)}) != base:
                        best = v
                        break
    got, move = find_margin(law, nat, None, districts)
    assert got == base
    assert (move.votes if move else None) == best


def test_moving_quota_segment_is_computed_exactly(monkeypatch: object) -> None:
    # Found by random search: the first change lies where only one of the pair qualifies, so
    # the Droop quota moves with every vote and the vectorised scan (not bisection) finds it.
    import shailoo.tally.margin as margin

    found: list[int] = []
    real = margin._lr_first_change

    def spy(*args: object, **kw: object) -> int | None:
        r = real(*args, **kw)  # type: ignore[arg-type]
        if r:
            found.append(r)
        return r

    monkeypatch.setattr(margin, "_lr_first_change", spy)  # type: ignore[attr-defined]
    votes = {f"P{i}": v for i, v in enumerate([41, 46, 85, 13, 328])}
    t = VoteTotals(votes, registered=10_000, ballots_cast=513, invalid=0, against_all=0)
    law = parse_law(law_text("droop", 9, 13, "party_votes", None))
    _, move = margin.find_margin(law, t, scan_limit=0)
    assert found, "the moving-quota path was not taken"
    assert move is not None and move.exact and move.votes == brute(law, t) == 4
