"""The parliament chart: every seat drawn once, each party one wedge, no seat overlapping."""

from __future__ import annotations

import math
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.web.seatchart import SeatGroup, colour_for, parliament_svg, ring_sizes, seat_positions


@given(st.integers(min_value=0, max_value=1200))
def test_rings_hold_every_seat(total: int) -> None:
    sizes = ring_sizes(total)
    assert sum(sizes) == total
    assert all(n >= 1 for n in sizes)
    assert len(seat_positions(total)) == total


@settings(max_examples=60)
@given(st.integers(min_value=1, max_value=700))
def test_seats_do_not_overlap(total: int) -> None:
    pos = seat_positions(total)
    r = pos[0][2]
    pts = sorted((x, y) for x, y, _ in pos)
    # Neighbours in x order are enough to find any overlap after a sweep with a window.
    for i, (x, y) in enumerate(pts):
        for x2, y2 in pts[i + 1 : i + 40]:
            if x2 - x > 2 * r:
                break
            assert math.hypot(x2 - x, y2 - y) >= 2 * r * 0.999


@settings(max_examples=60)
@given(st.lists(st.integers(min_value=0, max_value=80), min_size=1, max_size=17))
def test_each_party_is_one_wedge(seats: list[int]) -> None:
    groups = [SeatGroup(f"p{i}", f"Party {i}", n, colour_for(i)) for i, n in enumerate(seats)]
    svg = parliament_svg(groups)
    assert svg.count("<circle") == sum(seats)
    for g in groups:
        block = re.search(rf'data-party="{g.party}" data-seats="(\d+)"', svg)
        assert (block is not None) == (g.seats > 0)
    # Parties fill seats left to right: the mean angle of each party's seats increases.
    means = []
    for part in re.findall(r'<g class="party"[^>]*>(.*?)</g>', svg):
        xs = [float(x) for x in re.findall(r'cx="([-\d.]+)"', part)]
        ys = [float(y) for y in re.findall(r'cy="([-\d.]+)"', part)]
        angles = [math.atan2(200 - y, x - 200) for x, y in zip(xs, ys, strict=True)]
        means.append(-sum(angles) / len(angles))
    assert means == sorted(means)


def test_no_seats_draws_an_empty_arc() -> None:
    svg = parliament_svg([SeatGroup("a", "A", 0, "#000")])
    assert "no seats allocated" in svg and "<circle" not in svg


def test_names_are_escaped() -> None:
    svg = parliament_svg([SeatGroup("x", "<b>Bold & Co</b>", 3, "#123456")])
    assert "<b>" not in svg and "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in svg
