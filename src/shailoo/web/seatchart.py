"""The parliament half-circle seat chart as server-rendered SVG (no JavaScript needed).

Seats are laid on concentric half rings; each ring holds seats in proportion to its length, so
the dots are evenly spaced. All seat positions are then ordered by angle, left to right, and
filled party by party in the order given (ballot order), so that each party occupies one wedge,
as in the usual drawings of a chamber.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

#: colours for parties in ballot order (distinguishable, readable on white)
PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#bcbd22", "#7f7f7f", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354",
)  # fmt: skip


@dataclass(frozen=True)
class SeatGroup:
    """One party's seats in the chart."""

    party: str
    name: str
    seats: int
    colour: str


def colour_for(index: int) -> str:
    """The colour of the party at ``index`` in ballot order."""
    return PALETTE[index % len(PALETTE)]


def ring_sizes(total: int) -> list[int]:
    """How many seats each ring holds, innermost first; they add up to ``total``."""
    if total <= 0:
        return []
    rings = max(1, round(math.sqrt(total / 3.2)))
    inner = 0.4
    radii = [inner + (1 - inner) * i / max(rings - 1, 1) for i in range(rings)]
    scale = total / sum(radii)
    sizes = [max(1, math.floor(r * scale)) for r in radii]
    # Hand out what rounding left over to the outer rings, which have the most room.
    i = rings - 1
    while sum(sizes) < total:
        sizes[i] += 1
        i = (i - 1) % rings
    while sum(sizes) > total:
        j = max(range(rings), key=lambda k: sizes[k])
        sizes[j] -= 1
    return sizes


def seat_positions(total: int) -> list[tuple[float, float, float]]:
    """``(x, y, r)`` of every seat on a unit half disc, ordered left to right by angle."""
    sizes = ring_sizes(total)
    rings = len(sizes)
    if not rings:
        return []
    inner = 0.4
    step = (1 - inner) / max(rings - 1, 1)
    # A dot fills 80 % of the smaller of the ring spacing and the spacing along the tightest ring.
    along = min(
        (math.pi * (inner + step * i) / (n - 1) if n > 1 else 1.0) for i, n in enumerate(sizes)
    )
    dot = 0.4 * min(step if rings > 1 else 0.3, along)
    seats: list[tuple[float, float, float, float]] = []
    for i, n in enumerate(sizes):
        radius = inner + step * i if rings > 1 else 0.7
        for j in range(n):
            angle = math.pi / 2 if n == 1 else math.pi * (1 - j / (n - 1))
            seats.append((angle, -radius, radius * math.cos(angle), radius * math.sin(angle)))
    # Left to right; on equal angles the inner ring first, so a wedge reads radially.
    seats.sort(key=lambda s: (-round(s[0], 9), -s[1]))
    return [(x, y, dot) for _a, _r, x, y in seats]


def parliament_svg(groups: Sequence[SeatGroup], title: str = "Seats") -> str:
    """The chart as an ``<svg>`` element: one ``<circle>`` per seat with its party's title."""
    total = sum(g.seats for g in groups)
    width, height = 400, 215
    cx, cy, scale = width / 2, 200.0, 190.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="seat-chart" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{escape(title)}: {total} seats" data-seats="{total}">',
        f"<title>{escape(title)}: {total} seats</title>",
    ]
    if total == 0:
        parts.append(
            f'<path d="M 20 {cy} A 180 180 0 0 1 380 {cy}" fill="none" stroke="#bbb" '
            'stroke-width="2" stroke-dasharray="6 6"/>'
            f'<text x="{cx}" y="{cy - 20}" text-anchor="middle" class="no-seats">no seats allocated</text>'
        )
    positions = iter(seat_positions(total))
    for g in groups:
        if g.seats <= 0:
            continue
        parts.append(
            f'<g class="party" data-party="{escape(g.party)}" data-seats="{g.seats}" fill="{g.colour}">'
            f"<title>{escape(g.name)}: {g.seats}</title>"
        )
        for _ in range(g.seats):
            x, y, r = next(positions)
            parts.append(
                f'<circle cx="{cx + x * scale:.1f}" cy="{cy - y * scale:.1f}" r="{r * scale:.1f}"/>'
            )
        parts.append("</g>")
    if total:
        parts.append(
            f'<text x="{cx}" y="{cy - 8}" text-anchor="middle" class="seat-total">{total}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
