"""Law files: the electoral law as a TOML text a lawyer can write (see docs/law-files.md).

:func:`parse_law` reads the text once into a frozen :class:`Law`; the text itself is kept so the
ledger can store the law, not a reference to a file that could change. Numbers are read with
``parse_float=Decimal`` so that ``1.4`` is exactly ``7/5`` and never passes through a float.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from shailoo.domain.errors import LawError
from shailoo.law.numbers import FRACTION_BELOW, exact, law_percent_text, read_share
from shailoo.law.ties import TIE_RULES

QUOTA_METHODS = ("hare", "droop", "hagenbach-bischoff", "imperiali")
DIVISOR_METHODS = ("dhondt", "sainte-lague", "modified-sainte-lague", "imperiali-divisor")
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

#: keys of one district in the table form ``[districts.Prague]``
DISTRICT_KEYS = frozenset({"seats", "threshold"})


def _aliases(table: dict[str, tuple[str, ...]]) -> Mapping[str, str]:
    return MappingProxyType({alias: canon for canon, names in table.items() for alias in names})


#: other names strangers give the keys (compared after :func:`normal_key`)
KEY_ALIASES = _aliases(
    {
        "name": ("title", "election"),
        "description": ("notes", "comment", "comments"),
        "source": ("legal_source", "reference", "references", "legal_basis"),
        "seats": ("total_seats", "seat_count", "number_of_seats", "mandates", "seats_total"),
        "method": ("formula", "electoral_formula", "allocation_method", "seat_allocation"),
        "first_divisor": ("initial_divisor", "first_divisor_value"),
        "threshold": (
            "national_threshold",
            "electoral_threshold",
            "legal_threshold",
            "district_threshold",
        ),
        "threshold_base": ("threshold_basis", "national_threshold_base", "base"),
        "regional_threshold": ("region_threshold", "threshold_regional"),
        "regional_threshold_base": ("region_threshold_base", "regional_threshold_basis"),
        "max_seats_per_party": ("cap", "seat_cap", "max_seats", "party_cap", "max_party_seats"),
        "ties": ("tie", "tie_break", "tiebreak", "tie_breaking", "tie_rule", "tiebreaker"),
        "seed": ("random_seed", "lot_seed"),
        "districts": ("constituencies", "constituency", "district", "district_seats"),
    }
)

#: other names of the methods (compared after :func:`normal_name`)
METHOD_ALIASES = _aliases(
    {
        "hare": (
            "hare",
            "hare-niemeyer",
            "niemeyer",
            "hamilton",
            "hare-quota",
            "largest-remainder-hare",
            "hare-largest-remainder",
            "lr-hare",
        ),
        "droop": ("droop", "droop-quota", "largest-remainder-droop", "lr-droop"),
        "hagenbach-bischoff": (
            "hagenbach-bischoff",
            "hagenbach-bischoff-quota",
            "largest-remainder-hagenbach-bischoff",
            "lr-hagenbach-bischoff",
        ),
        "imperiali": (
            "imperiali",
            "imperiali-quota",
            "largest-remainder-imperiali",
            "lr-imperiali",
        ),
        "dhondt": ("dhondt", "d-hondt", "hondt", "jefferson", "highest-averages-dhondt"),
        "sainte-lague": (
            "sainte-lague",
            "saint-lague",
            "sainte-lague-schepers",
            "webster",
            "webster-sainte-lague",
        ),
        "modified-sainte-lague": (
            "modified-sainte-lague",
            "modified-saint-lague",
            "sainte-lague-modified",
            "modified-webster",
        ),
        "imperiali-divisor": (
            "imperiali-divisor",
            "imperiali-divisors",
            "imperiali-highest-averages",
            "highest-averages-imperiali",
        ),
    }
)

#: other names of the threshold bases (compared after :func:`normal_key`)
BASE_ALIASES = _aliases(
    {
        "party_votes": ("party_votes", "votes", "party", "list_votes", "votes_for_parties"),
        "valid": ("valid", "valid_votes", "valid_ballots"),
        "ballots_cast": (
            "ballots_cast",
            "ballots",
            "cast",
            "turnout",
            "voters",
            "voters_who_took_part",
            "took_part",
        ),
        "registered": ("registered", "registered_voters", "electorate", "eligible_voters"),
    }
)

TIE_ALIASES = _aliases(
    {
        "lot": ("lot", "lots", "draw", "drawing-of-lots", "lottery", "random"),
        "more-votes-then-lot": ("more-votes-then-lot", "more-votes", "most-votes"),
    }
)

#: the default first divisor of ``modified-sainte-lague`` (Norway; Sweden used it until 2018)
DEFAULT_FIRST_DIVISOR = Fraction(7, 5)


def normal_key(text: str) -> str:
    """A key or base name compared loosely: lower case, spaces and hyphens as ``_``."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


def normal_name(text: str) -> str:
    """A method or tie rule compared loosely: accents and apostrophes dropped, lower case,
    spaces, underscores and brackets as ``-`` (``"D'Hondt"`` and ``"Sainte-Laguë"`` match)."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"['`]", "", plain.lower())
    return re.sub(r"[\s_()\[\]/,.\-]+", "-", plain).strip("-")


@dataclass(frozen=True)
class Law:
    """An electoral law for a party-list election, read from a law file.

    ``threshold`` and ``regional_threshold`` are shares of one (``7/100``), ``None`` when the law
    has none. ``districts`` maps district name to its fixed seats (``None`` for one national
    district); ``district_thresholds`` the districts whose own threshold replaces
    ``threshold``. ``seed`` is the seed of any lot (``None`` when the file gives none; 0 is then
    used and the output says so). ``max_seats_share`` is the cap as written when the law gives a
    share of the seats (``max_seats_per_party`` is then that share of ``seats``, rounded down).
    ``readings`` say how written values were read (aliases, fractions or percentages); the
    allocation repeats them in its notes.
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
    max_seats_share: Fraction | None = None
    ties: str = "more-votes-then-lot"
    seed: int | None = None
    districts: Mapping[str, int] | None = None
    district_thresholds: Mapping[str, Fraction] = field(
        default_factory=lambda: MappingProxyType({})
    )
    readings: tuple[str, ...] = ()

    def needed_bases(self, regional: bool = True) -> set[str]:
        """Which results lines the law's thresholds need: a subset of ``registered``,
        ``ballots_cast``, ``invalid`` and ``against_all``. With ``regional=False`` only the
        national threshold's needs (for results that give national figures only)."""
        out: set[str] = set()
        if self.threshold is not None or self.district_thresholds:
            out |= BASE_NEEDS[self.threshold_base]
        if regional and self.regional_threshold is not None:
            out |= BASE_NEEDS[self.regional_threshold_base]
        return out

    def threshold_of(self, district: str | None) -> Fraction | None:
        """The threshold that applies in ``district`` (its own, else the law's)."""
        if district is not None and district in self.district_thresholds:
            return self.district_thresholds[district]
        return self.threshold

    @property
    def is_quota_method(self) -> bool:
        """True for the largest-remainder methods (Hare, Droop, Hagenbach-Bischoff, Imperiali)."""
        return self.method in QUOTA_METHODS

    @property
    def lot_seed(self) -> int:
        """The seed any lot is drawn from (0 when the law file gives none)."""
        return 0 if self.seed is None else self.seed


def _int(value: object, *, key: str, source: str, minimum: int) -> int:
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        value = int(value)  # "seats = 24.0" is 24
    if isinstance(value, bool) or not isinstance(value, int):
        raise LawError(f"{source}: {key} = {value!r} must be a whole number")
    if value < minimum:
        raise LawError(f"{source}: {key} = {value} must be at least {minimum}")
    return value


def _choice(
    value: object,
    *,
    key: str,
    source: str,
    aliases: Mapping[str, str],
    allowed: tuple[str, ...],
    normal: Callable[[str], str],
    readings: list[str],
) -> str:
    """Read a named choice (method, base, tie rule), accepting aliases with a note."""
    if isinstance(value, str) and normal(value) in aliases:
        canon = aliases[normal(value)]
        if value != canon:
            readings.append(f"{key} {value!r} read as {canon!r}")
        return canon
    others = sorted(a for a in aliases if a not in allowed)
    raise LawError(
        f"{source}: {key} = {value!r} is not known; use one of {', '.join(allowed)} "
        f"(also accepted: {', '.join(others)})"
    )


def _canonical_keys(
    data: Mapping[str, object], *, known: frozenset[str], where: str, readings: list[str]
) -> dict[str, object]:
    """Map every key to its canonical name; refuse unknown keys and a key given twice."""
    out: dict[str, object] = {}
    written: dict[str, str] = {}
    for key, value in data.items():
        norm = normal_key(key)
        canon = norm if norm in known else KEY_ALIASES.get(norm)
        if canon is None or canon not in known:
            guess = difflib.get_close_matches(norm, sorted(known | set(KEY_ALIASES)), n=1)
            hint = ""
            if guess:
                hint = f" (did you mean {KEY_ALIASES.get(guess[0], guess[0])!r}?)"
            raise LawError(
                f"{where}: unknown key {key!r}{hint}; valid keys are {', '.join(sorted(known))}"
            )
        if canon in out:
            raise LawError(f"{where}: {written[canon]!r} and {key!r} both give {canon!r}")
        if key != canon:
            readings.append(f"key {key!r} read as {canon!r}")
        out[canon] = value
        written[canon] = key
    return out


def _threshold(
    value: object, *, key: str, source: str, readings: list[str], regional: bool = False
) -> Fraction:
    share, note = read_share(
        value,
        key=key,
        source=source,
        below=FRACTION_BELOW["regional_threshold" if regional else "threshold"],
    )
    readings.append(note)
    return share


def _shown(value: object) -> str:
    """A written value as the law file has it (``"50%"``, ``0.5``) for notes."""
    return f'"{value}"' if isinstance(value, str) else str(value)


def _cap(
    value: object, seats: int, *, source: str, readings: list[str]
) -> tuple[int, Fraction | None]:
    """Read ``max_seats_per_party``: a whole number of seats, or a share of the seats
    (``"50%"`` or ``0.5``; a party may hold at most that share, so it is rounded down)."""
    key = "max_seats_per_party"
    text = value.strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        share = exact(text[:-1], key=key, source=source) / 100
    else:
        number = exact(value, key=key, source=source)
        if number >= 1:
            return _int(
                int(number) if number.denominator == 1 else value, key=key, source=source, minimum=1
            ), None
        share = number
    if share <= 0 or share > 1:
        raise LawError(f"{source}: {key} = {value!r} must be a share above 0 % and at most 100 %")
    cap = math.floor(share * seats)
    if cap < 1:
        raise LawError(f"{source}: {key} = {value!r} of {seats} seats is less than one seat")
    readings.append(
        f"max_seats_per_party {_shown(value)} read as {law_percent_text(share)} of the {seats} "
        f"seats: at most {cap} seats per party (rounded down: a party may not exceed the share)"
    )
    return cap, share


def _districts(
    table: object, *, source: str, readings: list[str]
) -> tuple[dict[str, int], dict[str, Fraction]]:
    """``[districts]`` as ``Name = 24`` lines or ``[districts.Name]`` tables with ``seats``
    and an optional own ``threshold``."""
    if not isinstance(table, dict) or not table:
        raise LawError(
            f"{source}: [districts] must be a table of district = seats "
            "(or [districts.NAME] tables with seats = N)"
        )
    seats: dict[str, int] = {}
    thresholds: dict[str, Fraction] = {}
    for name, entry in table.items():
        where = f"districts.{name}"
        if isinstance(entry, dict):
            keys = _canonical_keys(
                entry, known=DISTRICT_KEYS, where=f"{source}: [{where}]", readings=readings
            )
            if "seats" not in keys:
                raise LawError(f"{source}: [{where}] needs seats = N")
            seats[str(name)] = _int(keys["seats"], key=f"{where}.seats", source=source, minimum=1)
            if "threshold" in keys:
                thresholds[str(name)] = _threshold(
                    keys["threshold"], key=f"{where}.threshold", source=source, readings=readings
                )
        else:
            seats[str(name)] = _int(entry, key=where, source=source, minimum=1)
    return seats, thresholds


def parse_law(text: str, source: str = "<law>") -> Law:
    """Read a law from its TOML text; raise :class:`LawError` naming the key that is wrong.

    Keys, method names, threshold bases and tie rules are matched loosely (case, spaces,
    hyphens, accents) and a few aliases are accepted (``d'hondt``, ``webster``, ``total_seats``,
    ``turnout`` …); every such reading is recorded in :attr:`Law.readings`. Unknown keys are an
    error that lists the valid ones: a misspelt key must never silently mean "no rule".
    """
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise LawError(f"{source}: not a valid TOML file: {exc}") from None
    readings: list[str] = []
    data = _canonical_keys(raw, known=KNOWN_KEYS, where=source, readings=readings)
    for required in ("name", "method"):
        if required not in data:
            raise LawError(f"{source}: the key {required!r} is missing")
    name = data["name"]
    if not isinstance(name, str) or not name.strip():
        raise LawError(f"{source}: name must be a non-empty text")
    method = _choice(
        data["method"],
        key="method",
        source=source,
        aliases=METHOD_ALIASES,
        allowed=METHODS,
        normal=normal_name,
        readings=readings,
    )

    districts: dict[str, int] | None = None
    district_thresholds: dict[str, Fraction] = {}
    if "districts" in data:
        districts, district_thresholds = _districts(
            data["districts"], source=source, readings=readings
        )
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
        readings.append(
            f"first_divisor {data['first_divisor']!s} read as exactly "
            f"{first_divisor.numerator}/{first_divisor.denominator}"
        )
    elif method == "modified-sainte-lague":
        first_divisor = DEFAULT_FIRST_DIVISOR

    threshold = None
    if "threshold" in data:
        threshold = _threshold(data["threshold"], key="threshold", source=source, readings=readings)
    regional = None
    if "regional_threshold" in data:
        regional = _threshold(
            data["regional_threshold"],
            key="regional_threshold",
            source=source,
            readings=readings,
            regional=True,
        )
    base = _choice(
        data.get("threshold_base", "party_votes"),
        key="threshold_base",
        source=source,
        aliases=BASE_ALIASES,
        allowed=BASES,
        normal=normal_key,
        readings=readings,
    )
    regional_base = _choice(
        data.get("regional_threshold_base", base),
        key="regional_threshold_base",
        source=source,
        aliases=BASE_ALIASES,
        allowed=BASES,
        normal=normal_key,
        readings=readings,
    )
    cap = None
    cap_share = None
    if "max_seats_per_party" in data:
        if districts is not None:
            raise LawError(
                f"{source}: max_seats_per_party together with [districts] is not supported"
            )
        cap, cap_share = _cap(data["max_seats_per_party"], seats, source=source, readings=readings)
    ties = _choice(
        data.get("ties", "more-votes-then-lot"),
        key="ties",
        source=source,
        aliases=TIE_ALIASES,
        allowed=TIE_RULES,
        normal=normal_name,
        readings=readings,
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
        max_seats_share=cap_share,
        ties=ties,
        seed=seed,
        districts=MappingProxyType(districts) if districts is not None else None,
        district_thresholds=MappingProxyType(district_thresholds),
        readings=tuple(readings),
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
        except UnicodeDecodeError as exc:
            raise LawError(
                f"{text_name}: the law file is not UTF-8 text (byte {exc.start}); "
                "save it as UTF-8 TOML (see docs/law-files.md)"
            ) from None
        return parse_law(text, source=text_name)
    return parse_law(preset_text(text_name), source=f"preset {text_name}")
