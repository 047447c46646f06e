"""Exporting an organisation's cases, coded with the standard's field keys, as CSV, XLSX or JSON.

Only the cases the visibility rule shows the user; identifiers only when asked for and when the
user's role reads them; every export audited; rows streamed (a cursor in chunks, the file written
as it goes); every spreadsheet cell neutralised against formula injection. The columns are the
standard's field keys, so that an export imports again through the ready-made profile
``palermo-export.json`` (the round trip).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook

from palermo.accounts import access as accounts_access
from palermo.audit import services as audit
from palermo.cases.access import visible_cases
from palermo.cases.models import Case
from palermo.ingest.binding import CASE_FIELDS, CASE_LISTS
from palermo.ingest.readers import neutralise

if TYPE_CHECKING:
    from palermo.accounts.models import Organisation, User

FORMATS = ("csv", "xlsx", "json")
CODED_COLUMNS = [
    "prs_Gender",
    "prs_Citizenship",
    *CASE_FIELDS,
    *CASE_LISTS,
    "hte_Country",
]
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
    user: User, organisation: Organisation, fmt: str, out: IO[bytes], identifiers: bool = False
) -> int:
    """Write the cases; the number of cases written."""
    if fmt not in FORMATS:
        raise ExportRefusedError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    if not (
        accounts_access.can(user, accounts_access.Action.IMPORT_EXPORT, organisation)
        or accounts_access.can(user, accounts_access.Action.SUPERVISE_CASES, organisation)
    ):
        raise ExportRefusedError("your role does not export this organisation's cases")
    if identifiers and not accounts_access.can(
        user, accounts_access.Action.VIEW_IDENTIFIERS, organisation
    ):
        raise ExportRefusedError("your role does not read identifiers")
    names = columns(identifiers)
    count = 0
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(names)
        for case in _cases(user, organisation):
            record = _record(case, identifiers)
            writer.writerow([neutralise(_flat(record.get(n))) for n in names])
            count += 1
        text.flush()
        text.detach()
    elif fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("Cases")
        sheet.append(names)
        for case in _cases(user, organisation):
            record = _record(case, identifiers)
            sheet.append([neutralise(_flat(record.get(n))) for n in names])
            count += 1
        workbook.save(out)
    else:
        out.write(b"[")
        for case in _cases(user, organisation):
            record = {
                k: v for k, v in _record(case, identifiers).items() if v not in ("", [], None)
            }
            out.write(
                (b",\n" if count else b"\n") + json.dumps(record, ensure_ascii=False).encode()
            )
            count += 1
        out.write(b"\n]\n")
    audit.record(
        action="ingest.exported",
        actor=user,
        organisation=organisation,
        detail={"format": fmt, "cases": count, "identifiers": identifiers},
    )
    return count
