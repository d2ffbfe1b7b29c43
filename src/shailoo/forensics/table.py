"""The station x party matrix every forensic test reads.

A :class:`StationTable` holds one row per polling station as numpy arrays: the protocol lines the
tests need and one column of votes per party. It is built from the canonical protocol CSV, from a
mapped real source (:mod:`shailoo.io.sources`), from :class:`~shailoo.domain.model.Protocol`
objects, or directly from arrays (the simulator and the benches).

Definitions follow Kobak, Shpilkin and Pshenichnikov (2016): turnout is ballots issued over
registered voters; a party's share is its votes over the ballots found in the boxes
(``ballots_cast``, valid and invalid).
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from shailoo.domain.errors import InputError
from shailoo.domain.model import PROTOCOL_COUNTS, Protocol, Station

#: protocol lines of the canonical CSV, before the party columns
CANONICAL_LINES = PROTOCOL_COUNTS
#: columns of the canonical CSV that are neither protocol lines nor parties
LABEL_COLUMNS = ("station", "region", "district")
#: optional text columns of the canonical protocol file (docs/formats.md): never parties
TEXT_COLUMNS = ("source", "entered_by", "reason")


@dataclass
class StationTable:
    """Protocol lines and party votes of every station, as numpy arrays.

    ``votes`` has shape (stations, parties) in the order of ``parties``. ``region`` and
    ``district`` are object arrays of labels or None when the source has none.
    """

    stations: list[str]
    registered: np.ndarray
    ballots_issued: np.ndarray
    ballots_cast: np.ndarray
    votes: np.ndarray
    parties: list[str]
    invalid: np.ndarray | None = None
    against_all: np.ndarray | None = None
    region: np.ndarray | None = None
    district: np.ndarray | None = None
    source: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.stations)
        self.registered = np.asarray(self.registered, dtype=np.int64)
        self.ballots_issued = np.asarray(self.ballots_issued, dtype=np.int64)
        self.ballots_cast = np.asarray(self.ballots_cast, dtype=np.int64)
        self.votes = np.asarray(self.votes, dtype=np.int64).reshape(n, len(self.parties))
        for name in ("registered", "ballots_issued", "ballots_cast"):
            if getattr(self, name).shape != (n,):
                raise ValueError(f"{name} must have one value per station")
        if self.invalid is not None:
            self.invalid = np.asarray(self.invalid, dtype=np.int64)
        if self.against_all is not None:
            self.against_all = np.asarray(self.against_all, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.stations)

    # --- derived quantities ---------------------------------------------------------------
    @property
    def turnout(self) -> np.ndarray:
        """Ballots issued / registered (NaN where nobody is registered)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.registered > 0, self.ballots_issued / self.registered, np.nan)

    def party_index(self, party: str) -> int:
        """Column of ``party`` in :attr:`votes`; InputError naming the parties if unknown."""
        try:
            return self.parties.index(party)
        except ValueError:
            raise InputError(
                f"unknown party {party!r}; parties are: {', '.join(self.parties)}",
                file=self.source or None,
                column="--leader",
                rule="unknown-party",
            ) from None

    def winner(self) -> str:
        """The party with the most votes nationally."""
        return self.parties[int(np.argmax(self.votes.sum(axis=0)))]

    def share(self, party: str) -> np.ndarray:
        """Votes of ``party`` / ballots cast (NaN where no ballot was cast)."""
        v = self.votes[:, self.party_index(party)]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(self.ballots_cast > 0, v / self.ballots_cast, np.nan)

    def subset(self, mask: np.ndarray) -> StationTable:
        """The stations where ``mask`` is true."""
        idx = np.flatnonzero(mask)

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return StationTable(
            stations=[self.stations[i] for i in idx.tolist()],
            registered=self.registered[idx],
            ballots_issued=self.ballots_issued[idx],
            ballots_cast=self.ballots_cast[idx],
            votes=self.votes[idx],
            parties=list(self.parties),
            invalid=pick(self.invalid),
            against_all=pick(self.against_all),
            region=pick(self.region),
            district=pick(self.district),
            source=self.source,
            meta=dict(self.meta),
        )

    def with_stations(self, path: str | Path) -> StationTable:
        """Take ``region`` and ``district`` from a stations file (``station,region,district,...``).

        Stations missing from the file keep empty labels; InputError if the file lacks the columns.
        """
        path = Path(path)
        if not path.exists():
            raise InputError("stations file not found", file=str(path), rule="not-found")
        reader = csv.DictReader(io.StringIO(read_text(path)))
        fields = [f.strip() for f in reader.fieldnames or []]
        for need in ("station", "region", "district"):
            if need not in fields:
                raise InputError(
                    "column missing", file=str(path), line=1, column=need, rule="missing"
                )
        where = {
            row["station"].strip(): (row["region"].strip(), row["district"].strip())
            for row in reader
        }
        self.region = np.array([where.get(s, ("", ""))[0] for s in self.stations], dtype=object)
        self.district = np.array([where.get(s, ("", ""))[1] for s in self.stations], dtype=object)
        return self

    # --- constructors ---------------------------------------------------------------------
    @classmethod
    def from_protocols(
        cls, protocols: Sequence[Protocol], stations: Iterable[Station] | None = None
    ) -> StationTable:
        """Build from protocols (one per station); ``stations`` supply region and district."""
        if not protocols:
            raise InputError("no protocols to analyse", rule="empty")
        parties: list[str] = []
        seen: set[str] = set()
        for p in protocols:
            for pid in p.votes:
                if pid not in seen:
                    seen.add(pid)
                    parties.append(pid)
        col = {pid: j for j, pid in enumerate(parties)}
        votes = np.zeros((len(protocols), len(parties)), dtype=np.int64)
        for i, p in enumerate(protocols):
            for pid, v in p.votes.items():
                votes[i, col[pid]] = v
        by_id = {s.id: s for s in stations} if stations is not None else {}
        ids = [p.station for p in protocols]
        region = district = None
        if by_id:
            region = np.array([by_id[s].region if s in by_id else "" for s in ids], dtype=object)
            district = np.array(
                [by_id[s].district if s in by_id else "" for s in ids], dtype=object
            )
        return cls(
            stations=ids,
            registered=np.array([p.registered for p in protocols]),
            ballots_issued=np.array([p.ballots_issued for p in protocols]),
            ballots_cast=np.array([p.ballots_cast for p in protocols]),
            votes=votes,
            parties=parties,
            invalid=np.array([p.invalid for p in protocols]),
            against_all=np.array([p.against_all for p in protocols]),
            region=region,
            district=district,
            source="protocols",
        )

    @classmethod
    def from_rows(
        cls,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        file: str = "<rows>",
        mapping: Mapping[str, str] | None = None,
        parties: Sequence[str] | None = None,
        issued_from: Sequence[str] | None = None,
        cast_from: Sequence[str] | None = None,
    ) -> StationTable:
        """Build from CSV rows.

        ``mapping`` maps canonical names (``station``, ``region``, ``district``, ``registered``,
        ``ballots_issued``, ``ballots_cast``, ``invalid``, ``against_all``) to the file's column
        names; ``parties`` lists the party columns (default: every column that is not mapped or
        canonical). ``issued_from`` / ``cast_from`` sum several columns into that line (Russian
        protocols split both). Without ``ballots_issued`` the ballots cast stand in for it, and
        the reverse.
        """
        mapping = dict(mapping or {})
        header = [h.strip().lstrip("\ufeff") for h in header]
        pos = {h: i for i, h in enumerate(header)}
        if len(pos) != len(header):
            dup = sorted({h for h in header if header.count(h) > 1})
            raise InputError("duplicate column", file=file, line=1, column=dup[0], rule="duplicate")

        def where(name: str) -> int | None:
            col = mapping.get(name, name)
            return pos.get(col)

        used = {mapping.get(n, n) for n in (*LABEL_COLUMNS, *CANONICAL_LINES)} | set(TEXT_COLUMNS)
        used |= set(issued_from or ()) | set(cast_from or ())
        if parties is None:
            parties = [h for h in header if h not in used]
        for p in parties:
            if p not in pos:
                raise InputError(
                    "party column missing", file=file, line=1, column=p, rule="missing"
                )
        if where("registered") is None:
            raise InputError(
                "the registered voters column is missing",
                file=file,
                line=1,
                column=mapping.get("registered", "registered"),
                rule="missing",
            )
        numeric = {
            name: where(name)
            for name in ("registered", "ballots_issued", "ballots_cast", "invalid", "against_all")
        }
        sums = {"ballots_issued": list(issued_from or ()), "ballots_cast": list(cast_from or ())}
        for cols in sums.values():
            for c in cols:
                if c not in pos:
                    raise InputError("column missing", file=file, line=1, column=c, rule="missing")
        labels: dict[str, list[str]] = {"station": [], "region": [], "district": []}
        label_pos = {k: where(k) for k in labels}
        num_cols = [i for i in numeric.values() if i is not None]
        num_cols += [pos[c] for cols in sums.values() for c in cols]
        num_cols += [pos[p] for p in parties]
        num_cols = sorted(set(num_cols))
        num_index = {c: j for j, c in enumerate(num_cols)}
        values: list[list[int]] = []
        for lineno, row in enumerate(rows, start=2):
            if not row or all(not c.strip() for c in row):
                continue
            if len(row) < len(header):
                raise InputError(
                    f"row has {len(row)} fields, header has {len(header)}",
                    file=file,
                    line=lineno,
                    rule="short-row",
                )
            out = []
            for ci in num_cols:
                text = row[ci].strip()
                try:
                    v = int(text) if text else 0
                except ValueError:
                    try:
                        f = float(text)
                    except ValueError:
                        f = float("nan")
                    if not f.is_integer():
                        raise InputError(
                            "not a whole number",
                            file=file,
                            line=lineno,
                            column=header[ci],
                            rule="not-an-integer",
                            values={"value": text},
                        ) from None
                    v = int(f)
                if v < 0:
                    raise InputError(
                        "negative count",
                        file=file,
                        line=lineno,
                        column=header[ci],
                        rule="negative",
                        values={"value": v},
                    )
                out.append(v)
            values.append(out)
            for key, at in label_pos.items():
                labels[key].append(row[at].strip() if at is not None else "")
            if label_pos["station"] is None:
                labels["station"][-1] = str(lineno - 1)
        if not values:
            raise InputError("no stations in the file", file=file, rule="empty")
        m = np.array(values, dtype=np.int64)

        def line(name: str) -> np.ndarray | None:
            if sums.get(name):
                return np.asarray(np.sum([m[:, num_index[pos[c]]] for c in sums[name]], axis=0))
            i = numeric[name]
            return None if i is None else m[:, num_index[i]]

        votes = (
            m[:, [num_index[pos[p]] for p in parties]]
            if parties
            else np.zeros((len(m), 0), np.int64)
        )
        issued, cast = line("ballots_issued"), line("ballots_cast")
        invalid, against = line("invalid"), line("against_all")
        notes: list[str] = []
        if issued is None and cast is not None:
            notes.append(
                "no ballots_issued column: turnout is ballots cast / registered (ballots taken "
                "away unused are not counted, so turnout is slightly lower than issued)"
            )
        if cast is None:
            notes.append(
                "no ballots_cast column: "
                + ("ballots issued stand in for it" if issued is not None else
                   "it is the sum of the party votes, invalid and against-all ballots")
            )  # fmt: skip
            extra = (invalid if invalid is not None else 0) + (
                against if against is not None else 0
            )
            cast = issued if issued is not None else votes.sum(axis=1) + extra
        if issued is None:
            issued = cast
        registered = line("registered")
        assert registered is not None
        empty = int((registered == 0).sum())
        if empty:
            notes.append(
                f"{empty} station(s) with 0 registered voters: no turnout, left out of the "
                "turnout-based tests and scored 0"
            )
        return cls(
            stations=labels["station"],
            registered=registered,
            ballots_issued=issued,
            ballots_cast=cast,
            votes=votes,
            parties=list(parties),
            invalid=invalid,
            against_all=against,
            region=np.array(labels["region"], dtype=object)
            if label_pos["region"] is not None
            else None,
            district=(
                np.array(labels["district"], dtype=object)
                if label_pos["district"] is not None
                else None
            ),
            source=file,
            meta={"notes": notes} if notes else {},
        )

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        *,
        mapping: Mapping[str, str] | None = None,
        parties: Sequence[str] | None = None,
        delimiter: str | None = None,
        issued_from: Sequence[str] | None = None,
        cast_from: Sequence[str] | None = None,
    ) -> StationTable:
        """Read a canonical protocol CSV (or a mapped one); ``.gz`` files are read directly."""
        path = Path(path)
        if not path.exists():
            raise InputError("file not found", file=str(path), rule="not-found")
        text = read_text(path)
        if delimiter is None:
            first = text.split("\n", 1)[0]
            delimiter = ";" if first.count(";") > first.count(",") else ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise InputError("empty file", file=str(path), rule="empty") from None
        return cls.from_rows(
            header,
            reader,
            file=str(path),
            mapping=mapping,
            parties=parties,
            issued_from=issued_from,
            cast_from=cast_from,
        )


def read_text(path: Path) -> str:
    """The text of a CSV, a gzip-compressed CSV or a one-file zip archive."""
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
            return fh.read()
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
            return zf.read(names[0]).decode("utf-8-sig")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", file=str(path), rule="encoding") from exc
