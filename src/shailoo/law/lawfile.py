"""Law files: the electoral law as a TOML text a lawyer can write (see docs/law-files.md).

:func:`parse_law` reads the text once into a frozen :class:`Law`; the text itself is kept so the
ledger can store the law, not a reference to a file that could change. Numbers are read with
``parse_float=Decimal`` so that ``1.4`` is exactly ``7/5`` and never passes through a float.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from shailoo.domain.errors import LawError
from shailoo.law.numbers import exact, percent
from shailoo.law.ties import TIE_RULES

QUOTA_METHODS = ("hare", "droop", "hagenbach-bischoff", "imperiali")
DIVISOR_METHODS = ("dhondt", "sainte-lague", "modified-sainte-lague")
METHODS = QUOTA_METHODS + DIVISOR_METHODS
BASES = ("party_votes", "valid", "ballots_cast", "registered")

#: the line of a results file each threshold base needs (party votes need none)
BASE_NEEDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "party_votes": frozenset(),
        "valid": frozenset({"against_all"}),
        "ballots_cast": frozenset({"ballots_cast"}),
        "registered": frozenset({"registered"}),
    }
)

KNOWN_KEYS = frozenset(
    {
        "name",
        "description",
        "source",
        "seats",
        "method",
        "first_divisor",
        "threshold",
        "threshold_base",
        "regional_threshold",
        "regional_threshold_base",
        "max_seats_per_party",
        "ties",
        "seed",
        "districts",
    }
)

#: the default first divisor of ``modified-sainte-lague`` (Norway; Sweden used it until 2018)
DEFAULT_FIRST_DIVISOR = Fraction(7, 5)


@dataclass(frozen=True)
class Law:
    """An electoral law for a party-list election, read from a law file.

    ``threshold`` and ``regional_threshold`` are shares of one (``7/100``), ``None`` when the law
    has none. ``districts`` maps district name to its fixed seats (``None`` for one national
    district). ``seed`` is the seed of any lot (``None`` when the file gives none; 0 is then
    used and the output says so).
    """

    name: str
    seats: int
    method: str
    text: str = field(repr=False)
    source: str = "<law>"
    description: str = ""
    legal_source: str = ""
    first_divisor: Fraction | None = None
    threshold: Fraction | None = None
    threshold_base: str = "party_votes"
    regional_threshold: Fraction | None = None
    regional_threshold_base: str = "party_votes"
    max_seats_per_party: int | None = None
    ties: str = "more-votes-then-lot"
    seed: int | None = None
    districts: Mapping[str, int] | None = None

    def needed_bases(self, regional: bool = True) -> set[str]:
        """Which results lines the law's thresholds need: a subset of ``registered``,
        ``ballots_cast``, ``invalid`` and ``against_all``. With ``regional=False`` only the
        national threshold's needs (for results that give national figures only)."""
        out: set[str] = set()
        if self.threshold is not None:
            out |= BASE_NEEDS[self.threshold_base]
        if regional and self.regional_threshold is not None:
            out |= BASE_NEEDS[self.regional_threshold_base]
        return out

    @property
    def is_quota_method(self) -> bool:
        """True for the largest-remainder methods (Hare, Droop, Hagenbach-Bischoff, Imperiali)."""
        return self.method in QUOTA_METHODS

    @property
    def lot_seed(self) -> int:
        """The seed any lot is drawn from (0 when the law file gives none)."""
        return 0 if self.seed is None else self.seed


def _int(value: object, *, key: str, source: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LawError(f"{source}: {key} = {value!r} must be a whole number")
    if value < minimum:
        raise LawError(f"{source}: {key} = {value} must be at least {minimum}")
    return value


def _choice(value: object, *, key: str, source: str, allowed: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise LawError(f"{source}: {key} = {value!r} must be one of {', '.join(allowed)}")
    return value


def parse_law(text: str, source: str = "<law>") -> Law:
    """Read a law from its TOML text; raise :class:`LawError` naming the key that is wrong."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise LawError(f"{source}: not a valid TOML file: {exc}") from None
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise LawError(
            f"{source}: unknown key(s) {', '.join(unknown)}; "
            f"known keys are {', '.join(sorted(KNOWN_KEYS))}"
        )
    for required in ("name", "method"):
        if required not in data:
            raise LawError(f"{source}: the key {required!r} is missing")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise LawError(f"{source}: name must be a non-empty text")
    method = _choice(data["method"], key="method", source=source, allowed=METHODS)

    districts: dict[str, int] | None = None
    if "districts" in data:
        table = data["districts"]
        if not isinstance(table, dict) or not table:
            raise LawError(f"{source}: [districts] must be a table of district = seats")
        districts = {
            str(d): _int(s, key=f"districts.{d}", source=source, minimum=1)
            for d, s in table.items()
        }
    if "seats" in data:
        seats = _int(data["seats"], key="seats", source=source, minimum=1)
        if districts is not None and sum(districts.values()) != seats:
            raise LawError(
                f"{source}: seats = {seats} but the districts add up to {sum(districts.values())}"
            )
    elif districts is not None:
        seats = sum(districts.values())
    else:
        raise LawError(f"{source}: the key 'seats' is missing")

    first_divisor: Fraction | None = None
    if "first_divisor" in data:
        if method != "modified-sainte-lague":
            raise LawError(
                f"{source}: first_divisor is only used by method = 'modified-sainte-lague' "
                f"(this law says {method!r})"
            )
        first_divisor = exact(data["first_divisor"], key="first_divisor", source=source)
        if first_divisor <= 0:
            raise LawError(f"{source}: first_divisor must be above 0")
    elif method == "modified-sainte-lague":
        first_divisor = DEFAULT_FIRST_DIVISOR

    threshold = None
    if "threshold" in data:
        threshold = percent(data["threshold"], key="threshold", source=source)
    regional = None
    if "regional_threshold" in data:
        regional = percent(data["regional_threshold"], key="regional_threshold", source=source)
    base = _choice(
        data.get("threshold_base", "party_votes"),
        key="threshold_base",
        source=source,
        allowed=BASES,
    )
    regional_base = _choice(
        data.get("regional_threshold_base", base),
        key="regional_threshold_base",
        source=source,
        allowed=BASES,
    )
    cap = None
    if "max_seats_per_party" in data:
        cap = _int(data["max_seats_per_party"], key="max_seats_per_party", source=source, minimum=1)
        if districts is not None:
            raise LawError(
                f"{source}: max_seats_per_party together with [districts] is not supported"
            )
    ties = _choice(
        data.get("ties", "more-votes-then-lot"), key="ties", source=source, allowed=TIE_RULES
    )
    seed = None
    if "seed" in data:
        seed = _int(data["seed"], key="seed", source=source, minimum=0)
    description = data.get("description", "")
    legal = data.get("source", "")
    return Law(
        name=name.strip(),
        seats=seats,
        method=method,
        text=text,
        source=source,
        description=str(description),
        legal_source=str(legal),
        first_divisor=first_divisor,
        threshold=threshold,
        threshold_base=base,
        regional_threshold=regional,
        regional_threshold_base=regional_base,
        max_seats_per_party=cap,
        ties=ties,
        seed=seed,
        districts=MappingProxyType(districts) if districts is not None else None,
    )


def preset_names() -> list[str]:
    """Names of the law presets shipped with Shailoo (``kg-2020`` …)."""
    folder = resources.files("shailoo.law") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of a preset; :class:`LawError` when there is no such preset."""
    path = resources.files("shailoo.law") / "presets" / f"{name}.toml"
    if not path.is_file():
        raise LawError(
            f"no law file or preset named {name!r}; presets are {', '.join(preset_names())}"
        )
    return path.read_text(encoding="utf-8")


def load_law(name_or_path: str | Path) -> Law:
    """Load a law from a preset name (``kg-2020``) or the path of a TOML law file."""
    text_name = str(name_or_path)
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in text_name:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LawError(f"{text_name}: cannot read the law file: {exc.strerror}") from None
        return parse_law(text, source=text_name)
    return parse_law(preset_text(text_name), source=f"preset {text_name}")
