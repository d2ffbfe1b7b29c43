"""Jinja2 rendering of the public site and the staff pages (autoescaped, no JavaScript needed)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from shailoo import __version__
from shailoo.web.seatchart import SeatGroup, colour_for, parliament_svg


def templates_dir() -> Path:
    """Directory of the templates shipped with the package."""
    return Path(str(resources.files("shailoo.web") / "templates"))


def static_dir() -> Path:
    """Directory of the static CSS and JS shipped with the package."""
    return Path(str(resources.files("shailoo.web") / "static"))


def _number(value: Any) -> str:
    """12345 -> '12 345' (a thin space groups digits, as in the CEC's own tables)."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f")
    return str(value)


def _percent(value: Any, digits: int = 2) -> str:
    """0.1234 -> '12.34 %'; None -> '—'."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{digits}f}\u00a0%"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The shared Jinja2 environment; autoescape everywhere so user text never becomes markup."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir())),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = _number
    env.filters["percent"] = _percent
    env.globals["version"] = __version__
    env.globals["seat_chart"] = seat_chart
    env.globals["seat_count"] = seat_count
    return env


def seat_chart(seats: dict[str, Any], parties: list[dict[str, Any]]) -> Markup:
    """The SVG seat chart of a page's ``seats`` dict (an empty arc when none are allocated)."""
    groups = [
        SeatGroup(p["id"], p["name"], int(p["seats"]), p.get("colour") or colour_for(i))
        for i, p in enumerate(seats.get("parties") or [])
    ]
    return Markup(parliament_svg(groups, title="Seats"))  # noqa: S704 - our own escaped SVG


def seat_count(seats: dict[str, Any], party: str) -> int:
    """Seats of ``party`` in a page's ``seats`` dict."""
    for p in seats.get("parties") or []:
        if p["id"] == party:
            return int(p["seats"])
    return 0


def site_href(path: str) -> str:
    """Links of the live site are the paths themselves."""
    return path


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context``."""
    context.setdefault("user", None)
    context.setdefault("href", site_href)
    context.setdefault("published", False)
    context.setdefault("static_prefix", "/static")
    context.setdefault("root", "")
    context.setdefault("query", "")
    return environment().get_template(template).render(**context)
