"""Tables of a release as files: CSV, XLSX, HXL-tagged CSV and JSON. Suppressed cells are
written as "suppressed", never as a number."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from palermo.ingest.readers import neutralise
from palermo.stats.dimensions import BY_KEY
from palermo.stats.selectors import Breakdown

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "hxl": "text/csv; charset=utf-8",
    "json": "application/json",
}
SUPPRESSED = "suppressed"


def hxl_tag(dimension: str) -> str:
    source = BY_KEY[dimension].values
    if source == "country":
        return f"#country+code+v_iso2+{dimension}"
    if source == "region":
        return f"#region+code+v_m49+{dimension}"
    if source == "year":
        return "#date+year"
    return f"#x_{dimension.replace('-', '_').lower()}+code"


def _cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula is written as text."""
    return neutralise(value) if isinstance(value, str) else value


def breakdown_file(release: Any, table: Breakdown, fmt: str) -> bytes:
    header = [_("Code"), table.label, _("Count"), _("Suppressed")]
    filters = [f"{key}={value}" for key, value in table.filters.items()]
    rows = [
        [
            _cell(row.code),
            _cell(row.label),
            "" if row.suppressed else row.count,
            "1" if row.suppressed else "",
        ]
        for row in table.rows
    ]
    if fmt == "json":
        document = {
            "release": {"id": str(release.pk), "title": release.title, "version": release.version},
            "dimension": table.dimension,
            "filters": table.filters,
            "rows": [
                {"code": r.code, "label": r.label, "count": r.count, "suppressed": r.suppressed}
                for r in table.rows
            ],
            "note": _("A suppressed count is between 1 and k - 1, or was hidden to protect one."),
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
    if fmt == "xlsx":
        book = Workbook(write_only=True)
        sheet = book.create_sheet(table.dimension[:31])
        sheet.append([f"{release.title} v{release.version}", *filters])
        sheet.append(header)
        for row in rows:
            sheet.append([*row[:2], row[2] if row[2] != "" else SUPPRESSED, row[3]])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    if fmt == "hxl":
        writer.writerow([hxl_tag(table.dimension), "#description", "#affected+num", "#status"])
    for row in rows:
        writer.writerow([*row[:2], row[2] if row[2] != "" else SUPPRESSED, row[3]])
    return (
        ("\ufeff" + text.getvalue()).encode("utf-8") if fmt == "csv" else text.getvalue().encode()
    )
