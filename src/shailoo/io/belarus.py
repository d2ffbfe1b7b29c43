"""Reader of the Belarus 2020 presidential election data of the "Voice" platform.

Source: github.com/demidov91/voice (``voice.csv``; see ``../shared/data/README.md``). After the
vote of 9 August 2020, voters sent photographs of their ballots to an independent platform. For
each polling station the file gives, per candidate, the official count (where the commission
published it) beside the number of that candidate's ballots that voters photographed.

A photographed count is a *lower bound*, not a protocol: it proves that at least so many ballots
for the candidate were cast at the station, and says nothing about the rest. So this reader
returns the official figures as plain line counts and the photographs as
:class:`~shailoo.checks.reconcile.LowerBound` values; :func:`find_shortfalls` compares them.

Columns (per candidate ``c``): ``c_registered`` (platform users who declared a vote for ``c``,
with or without a photo), ``c_photoVoices`` (of those, users who sent a photo of the ballot),
``c_officialVotes`` (official count). The top-level ``registered`` and ``photoVoices`` are the
platform's totals for the station, **not** the electoral roll. Only photographs are used as proof;
declarations without a photo are kept in :attr:`VoiceStation.declared` but prove nothing.

Line names follow the protocol vocabulary of :class:`shailoo.domain.model.Protocol`:
``against`` becomes ``against_all`` and ``corrupted`` (spoiled ballots) becomes ``invalid``; the
candidates keep the file's ids. ``ignore`` (voters who boycotted) has no official line and is
dropped.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from shailoo.checks.reconcile import LowerBound, Shortfall, check_lower_bound
from shailoo.domain.errors import InputError

#: source name given to the photographed ballots when they are treated as an observer source
SOURCE = "observer:voice"

#: candidate column prefix -> protocol line
LINES: Mapping[str, str] = {
    "against": "against_all",
    "cherechen": "cherechen",
    "corrupted": "invalid",
    "dmitriyev": "dmitriyev",
    "kanopatskaja": "kanopatskaja",
    "lukashenko": "lukashenko",
    "tihanovkaja": "tihanovkaja",
}

#: display names of the candidates (Belarusian CEC transliteration)
CANDIDATES: Mapping[str, str] = {
    "cherechen": "Siarhei Cherachen",
    "dmitriyev": "Andrei Dmitriyeu",
    "kanopatskaja": "Hanna Kanapatskaya",
    "lukashenko": "Alexander Lukashenko",
    "tihanovkaja": "Sviatlana Tsikhanouskaya",
}


@dataclass(frozen=True)
class VoiceStation:
    """One polling station of the Voice file.

    ``official`` maps protocol lines to the official figures (empty when the commission did not
    publish them); ``photographed`` maps the same lines to photographed ballots; ``declared`` to
    declared votes with or without a photo. ``official_votes`` / ``official_voters`` are the
    file's official totals when given.
    """

    id: str
    region: str
    district: str
    official: Mapping[str, int] = field(default_factory=dict)
    photographed: Mapping[str, int] = field(default_factory=dict)
    declared: Mapping[str, int] = field(default_factory=dict)
    official_votes: int | None = None
    official_voters: int | None = None
    problems: tuple[InputError, ...] = ()

    @property
    def has_official(self) -> bool:
        """True when at least one official candidate figure is published."""
        return bool(self.official)

    def lower_bound(self) -> LowerBound:
        """The photographed ballots as an observer lower bound on the protocol."""
        return LowerBound(self.id, SOURCE, self.photographed)


def _int(value: str, path: str, line: int, column: str) -> int | None:
    value = value.strip()
    if value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise InputError(
            "not an integer",
            file=path,
            line=line,
            column=column,
            rule="not-an-integer",
            values={"value": value},
        ) from None


def _open(path: Path) -> io.TextIOBase:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return open(path, encoding="utf-8", newline="")  # noqa: SIM115 - closed by the caller


def read_voice(path: str | Path) -> Iterator[VoiceStation]:
    """Stream the stations of ``voice.csv`` (or ``voice.csv.gz``).

    Station ids look like ``01-010-0001``: region ``01``, district ``01-010``. Raises
    :class:`InputError` naming the file, line and column of an unreadable value.
    """
    p = Path(path)
    name = str(p)
    try:
        fh = _open(p)
    except OSError as exc:
        raise InputError(
            f"cannot read the file: {exc.strerror or exc}", file=name, rule="unreadable"
        ) from None
    try:
        yield from _stations(fh, name)
    except UnicodeDecodeError as exc:
        # The Voice export is UTF-8; anything else (UTF-16, CP1251, a binary) is refused with
        # the byte that failed rather than a traceback.
        raise InputError(
            f"the file is not UTF-8 (byte 0x{exc.object[exc.start]:02X}); save it as UTF-8",
            file=name,
            rule="encoding",
        ) from None
    except (OSError, EOFError) as exc:  # a truncated or non-gzip .gz
        raise InputError(f"cannot read the file: {exc}", file=name, rule="unreadable") from None
    finally:
        fh.close()


def _stations(fh: io.TextIOBase, name: str) -> Iterator[VoiceStation]:
    with fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        if "id" not in header:
            raise InputError("no 'id' column", file=name, line=1, rule="missing-column")
        for n, row in enumerate(reader, start=2):
            sid = row["id"].strip()
            parts = sid.split("-")
            if len(parts) != 3:
                raise InputError(
                    "station id is not REGION-DISTRICT-NUMBER",
                    file=name,
                    line=n,
                    column="id",
                    rule="bad-station-id",
                    values={"id": sid},
                )
            official: dict[str, int] = {}
            photographed: dict[str, int] = {}
            declared: dict[str, int] = {}
            problems: list[InputError] = []
            for prefix, line in LINES.items():
                for suffix, target in (
                    ("officialVotes", official),
                    ("photoVoices", photographed),
                    ("registered", declared),
                ):
                    col = f"{prefix}_{suffix}"
                    if col not in row:
                        continue
                    value = _int(row[col] or "", name, n, col)
                    if value is None:
                        continue
                    if value < 0:
                        # A few official "against" figures in the file are negative (a derived
                        # column, not a count); no count can be, so the value is set aside with
                        # its reason instead of being compared.
                        problems.append(
                            InputError(
                                "negative count set aside",
                                file=name,
                                line=n,
                                column=col,
                                rule="negative",
                                values={"value": value},
                            )
                        )
                        continue
                    target[line] = value
            yield VoiceStation(
                id=sid,
                region=parts[0],
                district=f"{parts[0]}-{parts[1]}",
                official=official,
                photographed=photographed,
                declared=declared,
                official_votes=_int(row.get("officialVotes") or "", name, n, "officialVotes"),
                official_voters=_int(row.get("officialVoters") or "", name, n, "officialVoters"),
                problems=tuple(problems),
            )


def find_shortfalls(stations: list[VoiceStation]) -> dict[str, list[Shortfall]]:
    """Stations whose official figure for some line is below the photographed ballots.

    Returns station id -> shortfalls, only for stations with at least one; stations without
    published official figures cannot be contradicted and never appear.
    """
    out: dict[str, list[Shortfall]] = {}
    for s in stations:
        if not s.has_official:
            continue
        found = check_lower_bound(s.official, s.lower_bound())
        if found:
            out[s.id] = found
    return out
