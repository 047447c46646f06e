"""Reading the tables agencies send: CSV (any delimiter and encoding a spreadsheet produces),
XLSX (every sheet), HXL-tagged CSV, and JSON records. Every reader streams: rows are read one at
a time, never the whole file into memory, and every refusal is a :class:`ReadError` whose message
can be shown to the person who sent the file as it is.

A :class:`Table` gives the column names and an iterator of rows (column -> text). Cells stay
text: mapping them to the standard's codes, dates and numbers is ``standard.mapping``'s work.
"""

from __future__ import annotations

import codecs
import csv
import json
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hxl
import ijson
from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

SAMPLE_BYTES = 64 * 1024
DELIMITERS = ",;\t|"
LATIN_FAMILY = {
    "latin_1",
    "cp1250",
    "cp1252",
    "cp1254",
    "iso8859_1",
    "iso8859_2",
    "iso8859_9",
    "iso8859_15",
    "iso8859_16",
    "mac_roman",
    "mac_latin2",
}
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class ReadError(Exception):
    """The file cannot be read as a table; the message says why, for its sender."""


@dataclass
class Table:
    """One table of a file: its columns and a way to read its rows once."""

    name: str
    columns: list[str]
    rows: Iterator[dict[str, str]]
    encoding: str = ""
    delimiter: str = ""
    hxl_tags: dict[str, str] = field(default_factory=dict)  # column -> HXL tag spec


def limits() -> tuple[int, int]:
    return settings.PALERMO_IMPORT_MAX_COLUMNS, settings.PALERMO_IMPORT_MAX_CELL


def _check_columns(columns: list[str]) -> list[str]:
    max_columns, _cell = limits()
    if len(columns) > max_columns:
        raise ReadError(
            _("The file has %(n)d columns; at most %(max)d are accepted.")
            % {"n": len(columns), "max": max_columns}
        )
    names = [(c or "").strip() for c in columns]
    if not any(names):
        raise ReadError(_("The first row holds no column names."))
    seen: dict[str, int] = {}
    unique = []
    for position, name in enumerate(names, start=1):
        name = name or _("column %(n)d") % {"n": position}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        unique.append(name)
    return unique


def _has_data(cells: Any, named: list[int]) -> bool:
    """Whether a row holds anything under a named column (a numbering column without a header,
    as in the HTCDS template, does not make a row)."""
    return any(
        i < len(cells) and cells[i] not in (None, "") and str(cells[i]).strip() for i in named
    )


def _named(header: list[Any]) -> list[int]:
    return [i for i, name in enumerate(header) if name not in (None, "") and str(name).strip()]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    _columns, max_cell = limits()
    if len(text) > max_cell:
        raise ReadError(
            _("A cell holds %(n)d characters; at most %(max)d are accepted.")
            % {"n": len(text), "max": max_cell}
        )
    if "\x00" in text:
        raise ReadError(
            _(
                "A cell holds a NUL character: the file is not plain text, or not in the "
                "encoding it seems to be in."
            )
        )
    return text


def detect_encoding(sample: bytes) -> str:
    """The encoding of a text file from its first bytes: a byte-order mark if there is one,
    UTF-8 if the sample is valid UTF-8, else the best guess (Latin-1 and Windows-1252 are what
    spreadsheets save by default)."""
    for bom, name in BOMS:
        if sample.startswith(bom):
            return name
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 4:  # a character cut by the end of the sample
            return "utf-8"
    best = from_bytes(sample).best()
    if best is None:
        raise ReadError(_("This file is not text: choose a CSV, XLSX or JSON file."))
    # A short sample cannot tell the Latin code pages apart; Windows-1252 is what Western
    # spreadsheets write, and it reads Latin-1 too. Cyrillic, Arabic, Chinese... are distinct.
    return "cp1252" if best.encoding in LATIN_FAMILY else best.encoding


def detect_delimiter(text_sample: str) -> str:
    try:
        return csv.Sniffer().sniff(text_sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = text_sample.splitlines()[0] if text_sample else ""
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _is_hxl_row(cells: list[str]) -> bool:
    filled = [c.strip() for c in cells if c.strip()]
    return bool(filled) and all(hxl.model.Column.parse(c) for c in filled)


def read_csv(path: Path, name: str = "") -> Table:
    """A CSV file, its encoding and delimiter detected; an HXL hashtag row (right after the
    header, or as the only header) is recognised and kept as the columns' tags."""
    with path.open("rb") as raw:
        sample = raw.read(SAMPLE_BYTES)
    if not sample.strip():
        raise ReadError(_("The file is empty."))
    encoding = detect_encoding(sample)
    text_sample = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text_sample)
    stream = path.open("r", encoding=encoding, newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader)
        columns = _check_columns(header)
        named = _named(header)
        tags: dict[str, str] = {}
        pending: list[str] | None = None
        second = next(reader, None)
        if second is not None and _is_hxl_row(second):
            tags = {c: t.strip() for c, t in zip(columns, second, strict=False) if t.strip()}
        elif _is_hxl_row(header):
            tags = {c: c for c in columns}
            pending = second
        else:
            pending = second
    except UnicodeDecodeError:
        stream.close()
        raise ReadError(_("The file's characters are not in one encoding.")) from None
    except csv.Error as exc:
        stream.close()
        raise ReadError(_("The file is not a valid CSV file: %(error)s") % {"error": exc}) from exc

    def rows() -> Iterator[dict[str, str]]:
        try:
            if pending is not None and _has_data(pending, named):
                yield _row(columns, pending)
            for cells in reader:
                if _has_data(cells, named):
                    yield _row(columns, cells)
        except UnicodeDecodeError:
            raise ReadError(
                _("Line %(line)d has characters that are not in the file's encoding (%(enc)s).")
                % {"line": reader.line_num, "enc": encoding}
            ) from None
        except csv.Error as exc:
            raise ReadError(
                _("Line %(line)d is not valid CSV: %(error)s")
                % {"line": reader.line_num, "error": exc}
            ) from exc
        finally:
            stream.close()

    return Table(name or path.name, columns, rows(), encoding, delimiter, tags)


def _row(columns: list[str], cells: list[str]) -> dict[str, str]:
    if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
        raise ReadError(
            _("A row has %(n)d cells but the header names %(m)d columns.")
            % {"n": len(cells), "m": len(columns)}
        )
    row = dict(zip(columns, cells, strict=False))
    _columns, max_cell = limits()
    if max(map(len, row.values()), default=0) > max_cell or "\x00" in "".join(row.values()):
        for value in row.values():
            _cell(value)  # raises, with the reason
    return row


def _check_zip(path: Path) -> None:
    """Refuse what is not a real workbook before any XML is parsed: not a zip, too large once
    unpacked, or compressed far more than any spreadsheet is (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ReadError(
            _("This is not an XLSX workbook (the file is damaged or of another type).")
        ) from None
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise ReadError(_("This is not an XLSX workbook."))
    unpacked = sum(e.file_size for e in entries)
    packed = sum(e.compress_size for e in entries) or 1
    if unpacked > settings.PALERMO_IMPORT_MAX_UNPACKED or unpacked / packed > 200:
        raise ReadError(
            _("The workbook would unpack to %(size)d MB: refused as unsafe.")
            % {"size": unpacked // (1024 * 1024)}
        )


def read_xlsx(path: Path) -> list[Table]:
    """Every sheet of a workbook that has a header row, read row by row."""
    from openpyxl import load_workbook

    _check_zip(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise ReadError(
            _("The workbook cannot be read: %(error)s") % {"error": type(exc).__name__}
        ) from exc
    tables = []
    for sheet in workbook.worksheets:
        iterator = sheet.iter_rows(values_only=True)
        header = next(iterator, None)
        if header is None or not any(c not in (None, "") for c in header):
            continue
        columns = _check_columns([_cell(c) for c in header])
        named = _named(list(header))
        # An HXL hashtag row right after the header (or as the header) tags the columns.
        tags: dict[str, str] = {}
        pending: tuple[Any, ...] | None = next(iterator, None)
        second = [_cell(c) for c in pending] if pending is not None else []
        if second and _is_hxl_row(second):
            tags = {c: t.strip() for c, t in zip(columns, second, strict=False) if t.strip()}
            pending = None
        elif _is_hxl_row(columns):
            tags = {c: c for c in columns}

        def rows(
            it: Iterator[Any] = iterator,
            cols: list[str] = columns,
            keep: list[int] = named,
            first: tuple[Any, ...] | None = pending,
        ) -> Iterator[dict[str, str]]:
            if first is not None and _has_data(first, keep):
                yield _row(cols, [_cell(v) for v in first])
            for values in it:
                if _has_data(values, keep):
                    yield _row(cols, [_cell(v) for v in values])

        tables.append(Table(sheet.title, columns, rows(), hxl_tags=tags))
    if not tables:
        raise ReadError(_("The workbook has no sheet with a header row."))
    return tables


def read_json(path: Path) -> Table:
    """Records as the standard's JSON Schema describes them: an array of objects keyed by
    standard field (or ``{"records": [...]}``), read one object at a time."""
    with path.open("rb") as raw:
        head = raw.read(SAMPLE_BYTES).lstrip()
    if not head:
        raise ReadError(_("The file is empty."))
    prefix = "item" if head.startswith(b"[") else "records.item" if head.startswith(b"{") else ""
    if not prefix:
        raise ReadError(_("This is not JSON: it should start with [ or {."))
    first = _json_items(path, prefix)
    sample = next(first, None)
    first.close()
    if sample is None:
        raise ReadError(_("The file holds no records."))
    columns = _check_columns(list(sample))

    def rows() -> Iterator[dict[str, str]]:
        for item in _json_items(path, prefix):
            yield {k: _json_cell(v) for k, v in item.items()}

    return Table(path.name, columns, rows())


def _json_items(path: Path, prefix: str) -> Generator[dict[str, Any], None, None]:
    with path.open("rb") as raw:
        try:
            for number, item in enumerate(ijson.items(raw, prefix, use_float=True), start=1):
                if not isinstance(item, dict):
                    raise ReadError(_("Record %(n)d is not an object.") % {"n": number})
                yield item
        except ijson.JSONError as exc:
            raise ReadError(_("The JSON is not valid: %(error)s") % {"error": exc}) from exc


def _json_cell(value: Any) -> str:
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dict):
        return _cell(json.dumps(value, ensure_ascii=False))
    return _cell(value)


def open_tables(path: Path, name: str = "") -> list[Table]:
    """The tables of a file, by what its content is (its name only breaks a tie)."""
    if not path.exists() or path.stat().st_size == 0:
        raise ReadError(_("The file is empty."))
    if path.stat().st_size > settings.PALERMO_IMPORT_MAX_BYTES:
        raise ReadError(
            _("The file is larger than %(size)d MB.")
            % {"size": settings.PALERMO_IMPORT_MAX_BYTES // (1024 * 1024)}
        )
    with path.open("rb") as raw:
        head = raw.read(8)
    suffix = Path(name or path.name).suffix.lower()
    if head.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        return read_xlsx(path)
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".json" or stripped[:1] in (b"[", b"{"):
        return [read_json(path)]
    return [read_csv(path, name)]


def estimate_rows(path: Path, name: str = "") -> int | None:
    """About how many rows the file holds, for the time left: a text file's lines less the
    header, a workbook's sheet dimensions; None for JSON or a file that cannot be read (reading
    it says why)."""
    try:
        with path.open("rb") as raw:
            head = raw.read(8)
            if head.startswith(b"PK\x03\x04"):
                return _workbook_rows(path)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
                return None
            raw.seek(0)
            lines = sum(block.count(b"\n") for block in iter(lambda: raw.read(1 << 20), b""))
    except Exception:
        return None
    return max(lines - 1, 0)


def _workbook_rows(path: Path) -> int:
    from openpyxl import load_workbook

    _check_zip(path)
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(max((sheet.max_row or 1) - 1, 0) for sheet in workbook.worksheets)
    finally:
        workbook.close()


# Exports -----------------------------------------------------------------------------------------

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """A cell that a spreadsheet would run as a formula (``=HYPERLINK(...)``), made plain text by
    a leading apostrophe (OWASP's advice for CSV injection). Numbers stay numbers."""
    if value and value.startswith(FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value
