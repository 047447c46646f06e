"""The validation report of an import as a workbook: one sheet listing every problem (row,
column, value, why), one with the rejected rows as they were in the file, their offending cells
filled red and commented. Written in openpyxl's write-only mode, row by row; every cell
neutralised against formula injection. Headings and reasons are in the active language (the
background task writes a page's report in the language of the page that queued it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from palermo.ingest.models import ImportBatch
from palermo.ingest.readers import neutralise
from palermo.ingest.services import checked_rows, why

BAD = PatternFill("solid", fgColor="FFC7CE")
BOLD = Font(bold=True)


def write_report(batch: ImportBatch, source: Path, out: Path) -> None:
    """Write ``batch``'s report for the file it was made from (read again, streaming); the
    rejected rows are those of the problems kept (the first 10,000)."""
    if batch.profile is None:
        raise ValueError("the batch's mapping profile was deleted")
    workbook = Workbook(write_only=True)
    problems = workbook.create_sheet(_("Problems"))
    header = [_("Row"), _("Column"), _("Value"), _("Problem")]
    problems.append([_bold(problems, text) for text in header])
    for problem in batch.problems:
        problems.append(
            [
                problem["row"],
                neutralise(problem["column"]),
                neutralise(problem["value"]),
                str(why(problem["reason"])),
            ]
        )
    if batch.problems_total > len(batch.problems):
        more = batch.problems_total - len(batch.problems)
        problems.append([_("… and %(n)d more") % {"n": more}])
    rejected = workbook.create_sheet(_("Rejected rows"))
    columns: list[str] | None = None
    by_row: dict[str, dict[str, str]] = {}
    for problem in batch.problems:
        by_row.setdefault(problem["row"], {}).setdefault(
            problem["column"], str(why(problem["reason"]))
        )
    for row in checked_rows(source, batch.file_name, batch.profile, batch.id_column):
        bad = by_row.get(row.number)
        if bad is None:
            continue
        if columns is None:
            columns = list(row.cells)
            rejected.append([_bold(rejected, _("Row"))] + [_bold(rejected, c) for c in columns])
        cells = [WriteOnlyCell(rejected, value=row.number)]
        for column in columns:
            cell = WriteOnlyCell(rejected, value=neutralise(row.cells.get(column, "")))
            if column in bad:
                cell.fill = BAD
                cell.comment = Comment(bad[column], "Palermo")
            cells.append(cell)
        rejected.append(cells)
    workbook.save(out)


def _bold(sheet: Any, text: str) -> Cell:
    cell = WriteOnlyCell(sheet, value=neutralise(text))
    cell.font = BOLD
    return cell
