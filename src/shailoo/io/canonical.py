"""Canonical protocol files: CSV, XLSX and JSON / JSON Lines, read as a stream of rows.

One row per station: ``station, registered, ballots_received, ballots_issued, ballots_cast,
invalid, against_all``, then one column per party id, then optionally ``source``, ``entered_by``
and ``reason``, and anywhere the station's ``region`` and ``district`` (checked against the
election by the importer, not stored) (format in ``docs/formats.md``). Reading never holds more than one row in memory
(JSON arrays excepted: use ``.jsonl`` for large files).

Problems with the whole file (unreadable, wrong encoding, empty, a missing or unknown column)
raise :class:`~shailoo.domain.errors.InputError`; problems with one row's values come back as
:class:`~shailoo.checks.protocol.Finding` objects on that row so the import can go on.
"""

from __future__ import annotations

import codecs
import csv
import json
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final, TypeAlias

from shailoo.checks.protocol import CODES, Finding, extra_cells
from shailoo.domain.errors import InputError
from shailoo.domain.model import PROTOCOL_COUNTS, Protocol

BASE_COLUMNS: Final = ("station", *PROTOCOL_COUNTS)
COUNT_COLUMNS: Final = BASE_COLUMNS[1:]
OPTIONAL_COLUMNS: Final = ("source", "entered_by", "reason")
#: optional columns naming the station's units; they must agree with the election (check P006)
UNIT_COLUMNS: Final = ("region", "district")
FORMATS: Final = ("csv", "xlsx", "json", "jsonl")


class ProtocolRow:
    """One data row: its 1-based ``line`` (CSV/XLSX: the header is line 1; JSON Lines: the line
    in the file; a JSON array: the item's 1-based position), the :class:`Protocol` if its values
    could be read, the ``findings`` that stopped it, the raw ``values`` as text for the
    rejection report, the ``region`` / ``district`` cells (None when absent or empty), and
    ``numeric_station``: the station cell was a number (a spreadsheet drops the leading zeros
    of ``0009``; the importer may match it, see :mod:`shailoo.intake.importer`).
    (A plain class with slots: one is made per row of a large file.)"""

    __slots__ = ("district", "findings", "line", "numeric_station", "protocol", "region", "values")

    def __init__(
        self,
        line: int,
        protocol: Protocol | None,
        findings: list[Finding] | None = None,
        values: dict[str, Any] | None = None,
        region: str | None = None,
        district: str | None = None,
        numeric_station: bool = False,
    ) -> None:
        self.line = line
        self.protocol = protocol
        self.findings = findings if findings is not None else []
        self.values = values if values is not None else {}
        self.region = region
        self.district = district
        self.numeric_station = numeric_station


#: A CSV row in its cheapest form, for the bulk import (:mod:`shailoo.intake.bulk`):
#: ``(line, station, source, entered_by, reason, numbers, region, district)``; ``numbers`` are
#: the six protocol lines in :data:`COUNT_COLUMNS` order, then every party's votes in ballot
#: order, all non-negative ints; ``source`` is never empty (``official`` by default); the
#: optional texts are None when the cell is absent or empty.
CountRow: TypeAlias = tuple[
    int, str, str, "str | None", "str | None", list[int], "str | None", "str | None"
]

#: a reader of the commonest CSV rows, made for one header (see :func:`read_protocol_counts`):
#: ``(cells, line)`` -> what the importer records, or None to read the row the general way
QuickRow: TypeAlias = Callable[[list[str], int], "tuple[str, str, str, int] | None"]


def file_format(path: Path) -> str:
    """``csv``, ``xlsx``, ``json`` or ``jsonl`` from the file name; InputError otherwise."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("json", "jsonl", "ndjson"):
        return "jsonl" if suffix != "json" else "json"
    raise InputError(
        f"unknown protocol file type {path.suffix!r}; use .csv, .xlsx, .json or .jsonl",
        file=str(path),
        rule="file-type",
    )


#: byte-order marks of the encodings Excel and Notepad save as "Unicode"; longest first
#: (the UTF-32 LE mark begins with the UTF-16 LE one)
_WIDE_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "UTF-16BE"),
)


def check_file(path: Path) -> None:
    """InputError (rule ``unreadable``) unless ``path`` names an existing regular file: a
    folder is called a folder, not a missing file."""
    if path.is_file():
        return
    if path.is_dir():
        raise InputError(
            "is a directory, not a protocol file; give the file inside it",
            file=str(path),
            rule="unreadable",
        )
    if path.exists():
        raise InputError(
            "is not a regular file (a device or pipe); give a protocol file",
            file=str(path),
            rule="unreadable",
        )
    raise InputError("no such file", file=str(path), rule="unreadable")


def _wide_encoding(chunk: bytes, path: Path) -> None:
    """InputError (rule ``encoding``) if the first chunk of a file is UTF-16 or UTF-32.

    Excel's "Unicode Text" and Notepad's "Unicode" save UTF-16 with a byte-order mark; such a
    file is not CP1251, so the advice must name the right source encoding. Without a mark, a
    NUL byte among the first bytes gives it away (UTF-16 text of Latin letters and digits
    decodes as "UTF-8" full of NULs, which no protocol file holds).
    """
    encoding = next((name for bom, name in _WIDE_BOMS if chunk.startswith(bom)), None)
    if encoding is not None:
        found = f"its first bytes are the {encoding} byte-order mark"
        # told only "UTF-16", iconv reads the byte order from the mark and drops it
        source = encoding[:6]
    elif b"\x00" in chunk[:4096]:
        # ASCII text in UTF-16LE has its NULs at odd offsets, in UTF-16BE at even ones
        odd, even = chunk[1:4096:2].count(0), chunk[0:4096:2].count(0)
        encoding = source = "UTF-16LE" if odd >= even else "UTF-16BE"
        found = f"NUL bytes in its first line(s), so it looks like {encoding}"
    else:
        return
    raise InputError(
        f"the file is {encoding[:6]}, not UTF-8 ({found}); save it as UTF-8 "
        f"(Excel: 'CSV UTF-8'), or convert it with iconv -f {source} -t UTF-8",
        file=str(path),
        line=1,
        rule="encoding",
        values={"encoding": encoding},
    )


def check_utf8(path: Path) -> int:
    """Check that a text file is non-empty UTF-8; return its number of lines.

    Reads in binary chunks (memory stays flat). A wrong encoding is named with the line and the
    first bad byte, since Excel on Windows often saves CSV as cp1251; UTF-16 and UTF-32 (Excel's
    "Unicode Text") are named as such.
    """
    check_file(path)
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines, size = 0, 0
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise InputError(f"cannot open: {exc.strerror}", file=str(path), rule="unreadable") from exc
    with fh:
        while chunk := fh.read(1 << 20):
            if size == 0:
                _wide_encoding(chunk, path)
            size += len(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                line = lines + chunk[: exc.start].count(b"\n") + 1
                raise InputError(
                    f"the file is not UTF-8 (byte 0x{chunk[exc.start]:02X}); save it as UTF-8 "
                    "(Excel: 'CSV UTF-8'), or convert it with iconv -f CP1251 -t UTF-8",
                    file=str(path),
                    line=line,
                    rule="encoding",
                ) from exc
            lines += chunk.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            raise InputError(
                "the file ends in the middle of a UTF-8 character", file=str(path), rule="encoding"
            ) from exc
    if size == 0:
        raise InputError("the file is empty", file=str(path), rule="empty-file")
    return lines


class Header:
    """Where each column is, checked against the election's parties."""

    def __init__(self, names: Sequence[Any], party_ids: Sequence[str], file: str) -> None:
        cleaned = [("" if n is None else str(n)).strip() for n in names]
        while cleaned and not cleaned[-1]:
            cleaned.pop()  # trailing empty cells of a spreadsheet
        if not any(cleaned):
            raise InputError("the header row is empty", file=file, line=1, rule="empty-file")
        seen: set[str] = set()
        for name in cleaned:
            if name in seen:
                raise InputError(
                    "a column appears twice",
                    file=file,
                    line=1,
                    column=name,
                    rule="duplicate-column",
                )
            seen.add(name)
        missing = [c for c in BASE_COLUMNS if c not in seen]
        if missing:
            raise InputError(
                f"required column(s) missing: {', '.join(missing)}",
                file=file,
                line=1,
                column=missing[0],
                rule="missing-column",
            )
        known = set(BASE_COLUMNS) | set(OPTIONAL_COLUMNS) | set(UNIT_COLUMNS) | set(party_ids)
        for name in cleaned:
            if name not in known:
                raise InputError(
                    f"unknown column: not a protocol line and not a party of this election "
                    f"(parties: {', '.join(party_ids)})",
                    file=file,
                    line=1,
                    column=name,
                    rule="P004",
                )
        absent = [p for p in party_ids if p not in seen]
        if absent:
            raise InputError(
                f"party column(s) missing: {', '.join(absent)}; every party needs a column",
                file=file,
                line=1,
                column=absent[0],
                rule="P003",
            )
        self.names = cleaned
        self.index = {name: i for i, name in enumerate(cleaned)}
        self.count_index = [(c, self.index[c]) for c in COUNT_COLUMNS]
        self.party_index = [(p, self.index[p]) for p in party_ids]
        self.optional_index = [(c, self.index[c]) for c in OPTIONAL_COLUMNS if c in self.index]
        self.region_index = self.index.get("region")
        self.district_index = self.index.get("district")
        # positions of source, entered_by, reason (None: no such column)
        self.source_index = self.index.get("source")
        self.entered_by_index = self.index.get("entered_by")
        self.reason_index = self.index.get("reason")
        self.station_index = self.index["station"]
        self.party_ids = tuple(party_ids)
        self.count_positions = [i for _, i in self.count_index]
        self.party_positions = [i for _, i in self.party_index]
        self.width = len(cleaned)
        self.number_getter = operator.itemgetter(*self.count_positions, *self.party_positions)


def _integer(value: Any) -> int | None:
    """A count from a cell: int, integral float (spreadsheets) or decimal digits; else None."""
    if type(value) is int:
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii():
            return int(text)
        return None
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_row(cells: Sequence[Any], header: Header, line: int) -> ProtocolRow:
    """Turn one row's cells into a :class:`ProtocolRow` (values checked, relations not)."""
    n = len(cells)
    if n >= header.width and all(type(c) is str for c in cells):
        fast = _parse_text_row(cells, header, line)
        if fast is not None:
            return fast
    return _parse_any_row(cells, header, line)


def _blank(cells: Sequence[Any]) -> bool:
    """True when every cell is empty (None or only spaces): trailing empty cells of a row are
    what spreadsheets write, not data."""
    return all(c is None or not str(c).strip() for c in cells)


def _parse_any_row(cells: Sequence[Any], header: Header, line: int) -> ProtocolRow:
    """Any cell types (spreadsheets, JSON), every problem reported as a finding."""
    n = len(cells)
    findings: list[Finding] = []
    if n > header.width and not _blank(cells[header.width :]):
        extra = [_text(c) for c in cells[header.width :]]
        while extra and not extra[-1]:
            extra.pop()  # trailing empty cells are not worth naming
        findings.append(extra_cells(n, header.width, extra))
    counts: dict[str, int] = {}
    votes: dict[str, int] = {}
    for target, pairs in ((counts, header.count_index), (votes, header.party_index)):
        for name, i in pairs:
            raw = cells[i] if i < n else None
            value = _integer(raw)
            if value is None:
                # a row cut short is named as such: "got ''" would send the operator looking
                # for an empty cell that is not there
                got = (
                    f"got {_text(raw)!r}"
                    if i < n
                    else f"the row ends before this column: {n} cells, {header.width} columns"
                )
                findings.append(
                    Finding(
                        "P001",
                        CODES["P001"][0],
                        f"{name} must be a whole number ≥ 0 ({got})",
                        name,
                        {"value": _text(raw)},
                    )
                )
            else:
                target[name] = value
    raw_station = cells[header.station_index] if header.station_index < n else None
    station = _text(raw_station)
    optional = {c: _text(cells[i]) if i < n else "" for c, i in header.optional_index}
    if not station:
        findings.append(Finding("P002", "error", "the station cell is empty", "station", {}))
    region, district = _unit(cells, header.region_index), _unit(cells, header.district_index)
    if findings:
        values = {name: _text(cells[i]) if i < n else "" for name, i in header.index.items()}
        return ProtocolRow(line, None, findings, values, region, district)
    protocol = Protocol(
        station=station,
        votes=votes,
        source=optional.get("source") or "official",
        entered_by=optional.get("entered_by") or None,
        reason=optional.get("reason") or None,
        **counts,
    )
    # a number typed into a spreadsheet's station cell ("0009" became 9); bool is no station
    numeric = type(raw_station) in (int, float)
    return ProtocolRow(line, protocol, region=region, district=district, numeric_station=numeric)


def _unit(cells: Sequence[Any], index: int | None) -> str | None:
    """The text of an optional unit cell; None when the column or the value is absent."""
    if index is None or index >= len(cells):
        return None
    return _text(cells[index]) or None


def count_row(cells: Sequence[str], header: Header, line: int) -> CountRow | None:
    """The common case, fast: a text row whose every count cell is plain ASCII digits and
    whose station is given, as a :data:`CountRow`. None when not (then :func:`parse_row`)."""
    n = len(cells)
    if n != header.width and (n < header.width or not _blank(cells[header.width :])):
        return None  # a short row, or cells beyond the header (P008): the slow path names it
    texts = header.number_getter(cells)
    joined = "".join(texts)
    # int() would also take "+5", " 5", "5_000" and non-ASCII digits: only plain digits here
    if not (joined.isascii() and joined.isdigit()):
        return None
    try:
        numbers = list(map(int, texts))
    except ValueError:  # an empty cell
        return None
    station = cells[header.station_index].strip()
    if not station:
        return None
    i = header.source_index
    source = (cells[i].strip() if i is not None else "") or "official"
    i = header.entered_by_index
    entered_by = (cells[i].strip() or None) if i is not None else None
    i = header.reason_index
    reason = (cells[i].strip() or None) if i is not None else None
    i = header.region_index
    region = (cells[i].strip() or None) if i is not None else None
    i = header.district_index
    district = (cells[i].strip() or None) if i is not None else None
    return (line, station, source, entered_by, reason, numbers, region, district)


def count_row_protocol(row: CountRow, party_ids: Sequence[str]) -> Protocol:
    """The :class:`Protocol` a :data:`CountRow` holds."""
    n = row[5]
    return Protocol(
        row[1],
        n[0],
        n[1],
        n[2],
        n[3],
        n[4],
        n[5],
        dict(zip(party_ids, n[6:], strict=True)),
        row[2],
        row[3],
        row[4],
    )


def _parse_text_row(cells: Sequence[str], header: Header, line: int) -> ProtocolRow | None:
    """:func:`count_row` as a :class:`ProtocolRow`. None when the row is not that simple."""
    row = count_row(cells, header, line)
    if row is None:
        return None
    return ProtocolRow(line, count_row_protocol(row, header.party_ids), None, None, row[6], row[7])


def row_values(row: Sequence[Any], header: Header) -> dict[str, str]:
    """The raw cells of a row by column name (for the rejection report)."""
    return {name: _text(row[i]) if i < len(row) else "" for name, i in header.index.items()}


class CsvError(Exception):
    """A record the csv module cannot read, on ``line`` (the cause is its ``csv.Error``)."""

    def __init__(self, line: int) -> None:
        super().__init__(f"broken CSV record on line {line}")
        self.line = line


def csv_records(fh: IO[str], line: int = 0) -> Iterator[tuple[list[str], int]]:
    """The records of a CSV text file opened with ``newline=""``, as the csv module reads
    them, each with the number of the line it ends on (``line``: lines already read).

    A line without a quote or NUL (a national file's every line) holds one record whose
    cells are its text between commas; splitting it here is four times cheaper than the csv
    module. Any other line, and one longer than the csv module's field limit (so that its
    error stays), goes to the csv module with the lines its record needs. Raises
    :class:`CsvError` from the csv module's error.
    """
    records = _Records(fh)
    for raw in fh:
        cells, line = records.read(raw, line + 1)
        yield cells, line


class _Records:
    """Reads the record that starts with a given line (:func:`csv_records`): a plain line by
    splitting it, any other by one csv reader kept for the whole file (made once: a file
    that quotes every cell passes each line to it), fed that line and then the file's next
    lines as the record needs them."""

    def __init__(self, fh: IO[str]) -> None:
        self._fh = fh
        self._first: str | None = None
        self._reader = csv.reader(self)
        self._limit = csv.field_size_limit()

    def __iter__(self) -> _Records:
        return self

    def __next__(self) -> str:
        first = self._first
        if first is None:
            return next(self._fh)
        self._first = None
        return first

    def read(self, raw: str, line: int) -> tuple[list[str], int]:
        """The record that starts with ``raw``, on ``line``, and the line it ends on."""
        if '"' in raw or "\x00" in raw or len(raw) > self._limit:
            self._first = raw
            before = self._reader.line_num
            try:
                cells = next(self._reader)
            except csv.Error as exc:
                raise CsvError(line + self._reader.line_num - before - 1) from exc
            return cells, line + self._reader.line_num - before - 1  # lines a cell spanned
        text = raw.rstrip("\r\n")
        return (text.split(",") if text else []), line


def _csv_rows(
    path: Path,
    party_ids: Sequence[str],
    counts: bool = False,
    quick: Callable[[Header], QuickRow] | None = None,
) -> Iterator[ProtocolRow | CountRow | tuple[str, str, str, int]]:
    file = str(path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        try:
            first = next(reader)
        except StopIteration:
            raise InputError("the file is empty", file=file, rule="empty-file") from None
        except csv.Error as exc:
            raise InputError(f"not a CSV file: {exc}", file=file, line=1, rule="csv") from exc
        header = Header(first, party_ids, file)
        had_rows = False
        quick_row = quick(header) if quick is not None else None
        # the C form of quick_row also reads a whole line (shailoo.speedups): no cell is made
        quick_line = getattr(quick_row, "line", None)
        line, records = reader.line_num, _Records(fh)
        try:
            for raw in fh:
                line += 1
                if quick_line is not None:
                    done = quick_line(raw, line)
                    if done is not None:
                        had_rows = True
                        yield done
                        continue
                cells, line = records.read(raw, line)
                if quick_row is not None:
                    done = quick_row(cells, line)
                    if done is not None:
                        had_rows = True
                        yield done
                        continue
                fast = count_row(cells, header, line)
                if fast is not None:
                    had_rows = True
                    if counts:
                        yield fast
                    else:
                        yield ProtocolRow(
                            line,
                            count_row_protocol(fast, header.party_ids),
                            None,
                            None,
                            fast[6],
                            fast[7],
                        )
                    continue
                if not cells or not any(c.strip() for c in cells):
                    continue
                had_rows = True
                yield _parse_any_row(cells, header, line)
        except CsvError as exc:
            raise InputError(
                f"broken CSV: {exc.__cause__}", file=file, line=exc.line, rule="csv"
            ) from exc.__cause__
        if not had_rows:
            # a header and nothing else (or only blank lines): exit 2, like an empty JSON array
            raise InputError("the file holds no protocols", file=file, rule="empty-file")


def _xlsx_rows(path: Path, party_ids: Sequence[str]) -> Iterator[ProtocolRow]:
    import zipfile

    from openpyxl import load_workbook

    file = str(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(
            f"not a readable XLSX workbook ({exc})", file=file, rule="unreadable"
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError("the first sheet is empty", file=file, rule="empty-file")
        header = Header(first, party_ids, file)
        had_rows = False
        for line, cells in enumerate(rows, start=2):
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            had_rows = True
            yield parse_row(cells, header, line)
        if not had_rows:
            raise InputError("the first sheet holds no protocols", file=file, rule="empty-file")
    finally:
        wb.close()


def _bad_item(line: int, message: str, text: str) -> ProtocolRow:
    """A JSON item that is no protocol at all, as a rejected row (code ``json``): the items
    before it may already be recorded, so the import goes on rather than stopping with exit 2
    ("nothing recorded") half-way."""
    finding = Finding("json", "error", message, None, {})
    return ProtocolRow(line, None, [finding], {"text": text[:500]})


def _dict_row(
    obj: Any, header: Header | None, party_ids: Sequence[str], file: str, line: int
) -> tuple[Header | None, ProtocolRow]:
    if not isinstance(obj, dict):
        text = json.dumps(obj, ensure_ascii=False)
        return header, _bad_item(line, f"not a JSON object but {type(obj).__name__}", text)
    flat: dict[str, Any] = {k: v for k, v in obj.items() if k != "votes"}
    votes = obj.get("votes")
    if isinstance(votes, dict):
        flat.update(votes)
    if header is None:
        header = Header(list(flat), party_ids, file)  # the first item is the header: exit 2
    unknown = [k for k in flat if k not in header.index]
    if unknown:
        # a key the first item did not have: the row is refused (P004) unless it is a
        # known column, which then joins the header
        try:
            header = Header(list(header.names) + unknown, party_ids, file)
        except InputError as exc:
            values = {str(k): _text(v) for k, v in flat.items()}
            finding = Finding(exc.rule or "P004", "error", exc.message, exc.column, {})
            return header, ProtocolRow(line, None, [finding], values)
    cells = [flat.get(name) for name in header.names]
    row = parse_row(cells, header, line)
    return header, row


def _json_rows(path: Path, party_ids: Sequence[str], lines: bool) -> Iterator[ProtocolRow]:
    file = str(path)
    header: Header | None = None
    items_seen = False  # every item seen may have been refused (then header stays None)
    if lines:
        with path.open(encoding="utf-8-sig") as fh:
            for line, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                items_seen = True
                try:
                    obj = json.loads(text)
                except ValueError as exc:
                    yield _bad_item(line, f"not JSON: {exc}", text.strip())
                    continue
                header, row = _dict_row(obj, header, party_ids, file, line)
                yield row
    else:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except ValueError as exc:
            raise InputError(f"not JSON: {exc}", file=file, rule="json") from exc
        items = data.get("protocols") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise InputError(
                'expected a JSON array of protocols (or {"protocols": [...]})',
                file=file,
                rule="json",
            )
        if not items:
            raise InputError("the file holds no protocols", file=file, rule="empty-file")
        for i, obj in enumerate(items):
            items_seen = True
            header, row = _dict_row(obj, header, party_ids, file, i + 1)
            yield row
    if not items_seen:
        raise InputError("the file holds no protocols", file=file, rule="empty-file")


def read_protocols(path: str | Path, party_ids: Sequence[str]) -> Iterator[ProtocolRow]:
    """Stream the rows of a canonical protocol file (format from its extension).

    Raises :class:`InputError` for a file that cannot be read at all; bad values in a row come
    back as findings on that row.
    """
    path = Path(path)
    check_file(path)  # before the extension: a folder named 'd' is a folder, not a file type
    fmt = file_format(path)
    if fmt == "csv":
        check_utf8(path)
        return _csv_rows(path, party_ids)  # type: ignore[return-value]
    if fmt == "xlsx":
        if path.stat().st_size == 0:
            raise InputError("the file is empty", file=str(path), rule="empty-file")
        return _xlsx_rows(path, party_ids)
    check_utf8(path)
    return _json_rows(path, party_ids, lines=fmt == "jsonl")


def read_protocol_counts(
    path: str | Path,
    party_ids: Sequence[str],
    *,
    checked_utf8: bool = False,
    quick: Callable[[Header], QuickRow] | None = None,
) -> Iterator[ProtocolRow | CountRow | tuple[str, str, str, int]]:
    """:func:`read_protocols` for the bulk import: simple CSV rows come as a :data:`CountRow`
    (no :class:`Protocol` built), every other row (and every row of XLSX or JSON) as a
    :class:`ProtocolRow`. ``checked_utf8`` skips the encoding scan the caller already made.

    ``quick``, given the checked header of a CSV file, returns a :data:`QuickRow` that is
    tried on every row first; what it returns (not None) is yielded as is. The importer's
    (:meth:`shailoo.intake.bulk.ElectionTable.quick_row`) turns a clean row straight into its
    payload JSON.
    """
    path = Path(path)
    check_file(path)
    if file_format(path) != "csv":
        return iter(read_protocols(path, party_ids))
    if not checked_utf8:
        check_utf8(path)
    return _csv_rows(path, party_ids, counts=True, quick=quick)


# ----- writers ------------------------------------------------------------------------------


def header_for(party_ids: Sequence[str], optional: bool = True) -> list[str]:
    """The canonical column order for an election's parties."""
    return [*BASE_COLUMNS, *party_ids, *(OPTIONAL_COLUMNS if optional else ())]


def protocol_cells(p: Protocol, party_ids: Sequence[str]) -> list[Any]:
    """One protocol as cells in :func:`header_for` order."""
    return [
        p.station,
        p.registered,
        p.ballots_received,
        p.ballots_issued,
        p.ballots_cast,
        p.invalid,
        p.against_all,
        *(p.votes.get(pid, 0) for pid in party_ids),
        p.source,
        p.entered_by or "",
        p.reason or "",
    ]


def write_protocols_csv(
    out: IO[str], protocols: Iterable[Protocol], party_ids: Sequence[str]
) -> int:
    """Write canonical CSV to an open text file; return the number of rows."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header_for(party_ids))
    n = 0
    for p in protocols:
        w.writerow(protocol_cells(p, party_ids))
        n += 1
    return n


def write_protocols_xlsx(
    path: str | Path, protocols: Iterable[Protocol], party_ids: Sequence[str]
) -> int:
    """Write a canonical XLSX workbook (write-only mode, memory flat); return the row count."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("protocols")
    ws.append(header_for(party_ids))
    n = 0
    for p in protocols:
        ws.append(protocol_cells(p, party_ids))
        n += 1
    wb.save(str(path))
    return n


def protocol_json(p: Protocol) -> dict[str, Any]:
    """One protocol as a JSON object (party votes under ``votes``)."""
    return {
        "station": p.station,
        "registered": p.registered,
        "ballots_received": p.ballots_received,
        "ballots_issued": p.ballots_issued,
        "ballots_cast": p.ballots_cast,
        "invalid": p.invalid,
        "against_all": p.against_all,
        "votes": dict(p.votes),
        "source": p.source,
        "entered_by": p.entered_by,
        "reason": p.reason,
    }


def write_protocols_jsonl(out: IO[str], protocols: Iterable[Protocol]) -> int:
    """Write JSON Lines, one protocol object per line; return the row count."""
    n = 0
    for p in protocols:
        out.write(json.dumps(protocol_json(p), ensure_ascii=False) + "\n")
        n += 1
    return n
