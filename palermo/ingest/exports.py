"""Exporting an organisation's cases as CSV, XLSX, HXL-tagged CSV or JSON, in the standard's layout
(field keys) or in CTDC's (the analytic variables under CTDC's column names, to contribute to the
CTDC hub).

Only the cases the visibility rule shows the user; identifiers only when asked for and when the
user's role reads them; every export audited; rows streamed (a cursor in chunks, the file written
as it goes); every spreadsheet cell neutralised against formula injection. The columns are the
standard's field keys, so that an export imports again through the ready-made profile
``palermo-export.json`` (the round trip).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook

from palermo.accounts import access as accounts_access
from palermo.audit import services as audit
from palermo.cases.access import visible_cases
from palermo.cases.models import Case
from palermo.ingest import storage
from palermo.ingest.binding import CASE_FIELDS, CASE_LISTS
from palermo.ingest.readers import neutralise
from palermo.standard import derive
from palermo.standard.models import FieldType

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User

FORMATS = ("csv", "xlsx", "hxl", "json")
LAYOUTS = ("standard", "ctdc")
PIECE_ROWS = 500
SPOOL_BYTES = 64 * 1024 * 1024
CODED_COLUMNS = [
    "prs_Gender",
    "prs_Citizenship",
    *CASE_FIELDS,
    *CASE_LISTS,
    "hte_Country",
]
COUNTRY_COLUMNS = {"prs_Citizenship", "hte_Country", "ana_Citizenship", "ana_CountryOfExploitation"}
IDENTIFIER_COLUMNS = [
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_IdentityNumber",
    "prs_MobilePhone",
    "prs_MailingStreet",
]
ANALYTIC_COLUMNS = [
    "ana_YearOfRegistration",
    "ana_Datasource",
    "ana_Gender",
    "ana_AgeBroad",
    "ana_MajorityStatus",
    "ana_MajorityStatusAtExploit",
    "ana_MajorityEntry",
    "ana_Citizenship",
    "ana_CountryOfExploitation",
    "ana_MeansOfControl",
    "ana_TypeOfExploitation",
    "ana_TypeOfLabour",
    "ana_TypeOfSex",
    "ana_IsAbduction",
    "ana_RecruiterRelationship",
]


class ExportRefusedError(Exception):
    pass


def columns(identifiers: bool) -> list[str]:
    return [
        "reference",
        *CODED_COLUMNS,
        *(IDENTIFIER_COLUMNS if identifiers else ()),
        *ANALYTIC_COLUMNS,
    ]


def hxl_tag(column: str) -> str:
    """The HXL hashtag of a column: countries as ``#country+code``, dates as ``#date``, the
    rest as the extension hashtag ``#x_htcds``; the field key is an attribute of each, so that
    HXL tools can select any column."""
    attribute = re.sub(r"[^a-z0-9_]", "_", column.lower())
    if column in COUNTRY_COLUMNS:
        return f"#country+code+v_iso2+{attribute}"
    if column.endswith("Date") or column == "prs_Birthdate":
        return f"#date+{attribute}"
    if column == "reference":
        return "#x_htcds+case_id"
    return f"#x_htcds+{attribute}"


def _record(case: Case, identifiers: bool) -> dict[str, Any]:
    person = case.person
    record: dict[str, Any] = {
        "reference": case.reference,
        "prs_Gender": person.gender,
        "prs_Citizenship": person.citizenship,
        "hte_Country": case.exploitation_countries[0] if case.exploitation_countries else "",
    }
    for key, attribute in {**CASE_FIELDS, **CASE_LISTS}.items():
        value = getattr(case, attribute)
        record[key] = value.isoformat() if hasattr(value, "isoformat") else value
    if identifiers:
        documents = person.documents
        record |= {
            "prs_FirstName": person.given_name,
            "prs_SecondName": person.family_name,
            "prs_Birthdate": person.birth_date,
            "prs_IdentityNumber": documents[0]["number"] if documents else "",
            "prs_MobilePhone": person.phone,
            "prs_MailingStreet": person.address,
        }
    for key in ANALYTIC_COLUMNS:
        record[key] = case.analytic.get(key, "")
    return record


def ctdc_record(case: Case, rules: derive.Rules) -> dict[str, Any]:
    """The case's analytic variables under CTDC's column names: as imported (a CTDC file's
    values), else derived from its HTCDS codes by the standard's derivations."""
    coded = _record(case, identifiers=False)
    coded |= {
        "age_at_identification": case.age_at_identification,
        "age_at_exploitation": case.age_at_exploitation,
    }
    values = derive.case_analytic(coded, case.analytic, rules)
    row: dict[str, Any] = {}
    for variable in rules.variables:
        value = values.get(variable.key, "")
        if variable.data_type == FieldType.BOOLEAN and value != "":
            value = "1.0" if value in (True, "TRUE") else "0.0"
        row[variable.column] = value
    return row


def _cases(user: User, organisation: Organisation) -> Iterator[Case]:
    rows = (
        visible_cases(user)
        .filter(organisation=organisation)
        .select_related("person")
        .order_by("reference")
    )
    return rows.iterator(chunk_size=2000)


def _flat(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


def export_cases(
    user: User,
    organisation: Organisation,
    fmt: str,
    out: IO[bytes],
    identifiers: bool = False,
    layout: str = "standard",
) -> int:
    """Write the cases to ``out``; the number of cases written."""
    export = start_export(user, organisation, fmt, identifiers, layout)
    for chunk in export.chunks():
        out.write(chunk)
    return export.count


def start_export(
    user: User,
    organisation: Organisation,
    fmt: str,
    identifiers: bool = False,
    layout: str = "standard",
) -> Export:
    """An export the user may make, ready to stream; refused at once with the reason otherwise.
    The CTDC layout holds coded analytic variables only, never identifiers."""
    if fmt not in FORMATS:
        raise ExportRefusedError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if layout not in LAYOUTS:
        raise ExportRefusedError(f"unknown layout {layout!r}; one of {', '.join(LAYOUTS)}")
    if layout == "ctdc" and identifiers:
        raise ExportRefusedError("the CTDC layout holds no identifiers")
    if not accounts_access.can_export_cases(user, organisation):
        raise ExportRefusedError("your role does not export this organisation's cases")
    if identifiers and not accounts_access.can(
        user, accounts_access.Action.VIEW_IDENTIFIERS, organisation
    ):
        raise ExportRefusedError("your role does not read identifiers")
    return Export(user, organisation, fmt, identifiers, layout)


@dataclass
class Export:
    """The file, produced piece by piece as the cases are read (a page streams it, a command
    writes it); audited when it ends, with how many cases it held and whether it finished."""

    user: User
    organisation: Organisation
    fmt: str
    identifiers: bool
    layout: str
    count: int = 0

    def file_name(self) -> str:
        suffix = {"hxl": "csv"}.get(self.fmt, self.fmt)
        tag = "-hxl" if self.fmt == "hxl" else ""
        return f"{self.organisation.acronym}-cases-{self.layout}{tag}.{suffix}"

    def _rows(self) -> tuple[list[str], Iterator[dict[str, Any]]]:
        cases = _cases(self.user, self.organisation)
        if self.layout == "ctdc":
            rules = derive.rules()
            return [v.column for v in rules.variables], (ctdc_record(c, rules) for c in cases)
        return columns(self.identifiers), (_record(c, self.identifiers) for c in cases)

    def chunks(self) -> Iterator[bytes]:
        finished = False
        try:
            names, rows = self._rows()
            if self.fmt in ("csv", "hxl"):
                yield from self._csv(names, rows)
            elif self.fmt == "xlsx":
                yield from self._xlsx(names, rows)
            else:
                yield from self._json(rows)
            finished = True
        finally:
            audit.record(
                action="ingest.exported",
                actor=self.user,
                organisation=self.organisation,
                detail={
                    "format": self.fmt,
                    "layout": self.layout,
                    "cases": self.count,
                    "identifiers": self.identifiers,
                }
                | ({} if finished else {"interrupted": True}),
            )

    def _csv(self, names: list[str], rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(names)
        if self.fmt == "hxl":
            writer.writerow([hxl_tag(name) for name in names])
        yield codecs.BOM_UTF8
        for record in rows:
            writer.writerow([neutralise(_flat(record.get(n))) for n in names])
            self.count += 1
            if self.count % PIECE_ROWS == 0:
                yield _take(buffer)
        yield _take(buffer)

    def _xlsx(self, names: list[str], rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
        """A workbook is only complete when saved: written to a private temporary file, sent,
        deleted."""
        with storage.private_temporary_files():
            workbook = Workbook(write_only=True)
            sheet = workbook.create_sheet("Cases")
            sheet.append(names)
            for record in rows:
                sheet.append([neutralise(_flat(record.get(n))) for n in names])
                self.count += 1
            with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as kept:  # disk if large
                workbook.save(kept)
                kept.seek(0)
                while piece := kept.read(1 << 20):
                    yield piece

    def _json(self, rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
        yield b"["
        for record in rows:
            kept = {k: v for k, v in record.items() if v not in ("", [], None)}
            separator = b",\n" if self.count else b"\n"
            yield separator + json.dumps(kept, ensure_ascii=False).encode()
            self.count += 1
        yield b"\n]\n"


def _take(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")
