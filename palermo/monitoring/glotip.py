"""Import of the UNODC Global Report on Trafficking in Persons data (the ``data_glotip`` export,
an XLSX sheet with a two-line preamble and the header on its third row).

Values are text in the source: ``<5`` marks a count suppressed by UNODC (kept as suppressed,
never as 0 or 5) and larger counts may carry thousands separators (``1,282``). Rows for regional
aggregates (codes such as ``SAM`` or ``CAR`` with no country name) are not countries and are
counted, not imported. The source repeats some keys, sometimes with another value: each row is
kept, numbered by its occurrence.

An import is all or nothing: a file with a value it cannot read writes nothing and says which
row is wrong. Importing the same file again changes nothing; an updated file updates the rows
whose value changed and removes the rows it no longer holds.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palermo.geo.models import Country
from palermo.monitoring.models import Figure, FigureSource

SOURCE_KEY = "unodc-glotip"
HEADER = (
    "Iso3_code",
    "Country",
    "Region",
    "Subregion",
    "Indicator",
    "Dimension",
    "Category",
    "Sex",
    "Age",
    "Year",
    "Unit of measurement",
    "txtVALUE",
    "Source",
)
SUPPRESSED = "<5"
_NUMBER = re.compile(r"^\d{1,3}(,\d{3})+$|^\d+$")
_KEY_FIELDS = ("indicator", "dimension", "category", "sex", "age", "year", "occurrence")
MAX_ERRORS = 50


class GlotipError(Exception):
    """The file cannot be imported; ``messages`` say why (nothing was written)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


@dataclass
class Report:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    suppressed: int = 0
    repeated_keys: int = 0
    not_countries: Counter[str] = field(default_factory=Counter)
    countries: int = 0
    published: date | None = None


def parse_value(raw: Any) -> tuple[int | None, bool]:
    """``(value, suppressed)`` of a printed count; ValueError for anything else."""
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int):
        if raw < 0:
            raise ValueError(raw)
        return raw, False
    if isinstance(raw, float):
        if raw < 0 or not raw.is_integer():
            raise ValueError(raw)
        return int(raw), False
    text = str(raw if raw is not None else "").strip()
    if text == SUPPRESSED:
        return None, True
    if _NUMBER.match(text):
        return int(text.replace(",", "")), False
    raise ValueError(text)


def _published(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    day, _sep, rest = str(value).strip().partition("/")
    month, _sep, year = rest.partition("/")
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _sheet_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    import openpyxl

    if not zipfile.is_zipfile(path):
        raise GlotipError([_("This is not an XLSX workbook.")])
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise GlotipError(
            [_("The workbook cannot be read: %(error)s") % {"error": error}]
        ) from None
    try:
        yield from book.worksheets[0].iter_rows(values_only=True)
    finally:
        book.close()


def read(path: Path) -> tuple[date | None, list[tuple[int, tuple[Any, ...]]]]:
    """The export's date and its data rows with their row numbers in the sheet."""
    rows: list[tuple[int, tuple[Any, ...]]] = []
    published = None
    header_at = None
    for number, row in enumerate(_sheet_rows(path), start=1):
        if header_at is None:
            cells = tuple(str(c).strip() if c is not None else "" for c in row[: len(HEADER)])
            if cells == HEADER:
                header_at = number
            elif number == 2 and row:
                published = _published(row[0])
            elif number >= 10:
                break
            continue
        if not any(cell not in (None, "") for cell in row):
            continue
        rows.append((number, tuple(row[: len(HEADER)])))
    if header_at is None:
        raise GlotipError(
            [
                _("No header row with the columns %(columns)s in the first ten rows.")
                % {"columns": ", ".join(HEADER)}
            ]
        )
    return published, rows


def import_file(path: Path) -> Report:
    """Import (or update) the figures of one GLOTIP export."""
    published, rows = read(path)
    countries = dict(Country.objects.values_list("iso3", "iso2"))
    report = Report(published=published)
    errors: list[str] = []
    wanted: dict[tuple[Any, ...], tuple[int | None, bool, str]] = {}
    seen: Counter[tuple[Any, ...]] = Counter()
    for number, row in rows:
        padded = row + (None,) * (len(HEADER) - len(row))
        iso3, _name, _r, _s, indicator, dimension, category, sex, age, year, _u, raw, _src = padded
        report.rows += 1
        code = str(iso3 or "").strip().upper()
        iso2 = countries.get(code)
        if iso2 is None:
            report.not_countries[code or "?"] += 1
            continue
        try:
            value, suppressed = parse_value(raw)
        except ValueError:
            errors.append(
                _("Row %(row)d: the value %(value)s is neither a count nor <5.")
                % {"row": number, "value": repr(raw)}
            )
            continue
        try:
            year_number = int(str(year).strip())
        except ValueError:
            errors.append(
                _("Row %(row)d: the year %(value)s is not a year.")
                % {"row": number, "value": repr(year)}
            )
            continue
        base = (
            iso2,
            str(indicator or "").strip(),
            str(dimension or "").strip(),
            str(category or "").strip(),
            str(sex or "").strip(),
            str(age or "").strip(),
            year_number,
        )
        seen[base] += 1
        if seen[base] == 2:
            report.repeated_keys += 1
        report.suppressed += suppressed
        wanted[(*base, seen[base])] = (value, suppressed, str(raw).strip())
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise GlotipError(errors)
    if not wanted:
        raise GlotipError([_("The sheet holds no figure for any country.")])
    report.countries = len({key[0] for key in wanted})
    with transaction.atomic():
        source, _created = FigureSource.objects.update_or_create(
            key=SOURCE_KEY,
            defaults={
                "title": "UNODC Global Report on Trafficking in Persons: data (data_glotip)",
                "publisher": "UNODC",
                "published": published,
                "url": "https://dataunodc.un.org/dp-trafficking-persons",
                "file_name": path.name,
                "checksum": _checksum(path),
                "imported_at": timezone.now(),
            },
        )
        _store(source, wanted, report)
    return report


def _checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _store(
    source: FigureSource,
    wanted: dict[tuple[Any, ...], tuple[int | None, bool, str]],
    report: Report,
) -> None:
    existing: dict[tuple[Any, ...], Figure] = {}
    for stored in Figure.objects.filter(source=source).iterator(chunk_size=5000):
        existing[(stored.country_id, *(getattr(stored, name) for name in _KEY_FIELDS))] = stored
    new: list[Figure] = []
    changed: list[Figure] = []
    for key, (value, suppressed, printed) in wanted.items():
        figure = existing.pop(key) if key in existing else None
        if figure is None:
            fields = dict(zip(_KEY_FIELDS, key[1:], strict=True))
            new.append(
                Figure(
                    source=source,
                    country_id=key[0],
                    value=value,
                    suppressed=suppressed,
                    printed=printed,
                    **fields,
                )
            )
        elif (figure.value, figure.suppressed, figure.printed) != (value, suppressed, printed):
            figure.value, figure.suppressed, figure.printed = value, suppressed, printed
            changed.append(figure)
        else:
            report.unchanged += 1
    Figure.objects.bulk_create(new, batch_size=2000)
    Figure.objects.bulk_update(changed, ["value", "suppressed", "printed"], batch_size=2000)
    if existing:
        Figure.objects.filter(pk__in=[f.pk for f in existing.values()]).delete()
    report.created, report.updated, report.removed = len(new), len(changed), len(existing)
