"""The standard as files: JSON Schema of a record, CSV tables, and an XLSForm (ODK, Kobo)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

import jsonschema
from django.conf import settings
from openpyxl import Workbook

from palermo.standard import selectors
from palermo.standard.models import Code, Field, FieldStatus, FieldType, Section

LANGUAGE_COLUMNS = {
    "en": "English (en)",
    "ar": "Arabic (ar)",
    "zh-hans": "Chinese (zh)",
    "fr": "French (fr)",
    "ru": "Russian (ru)",
    "es": "Spanish (es)",
}
RECORD_SECTIONS = [s for s in Section if s != Section.ANALYTIC]


def _record_fields(version: int) -> list[Field]:
    return [f for f in selectors.fields(version) if f.section in RECORD_SECTIONS]


def _codes_by_list(version: int) -> dict[str, list[Code]]:
    found: dict[str, list[Code]] = {}
    for code in Code.objects.at(version).select_related("code_list").order_by("order", "code"):
        found.setdefault(code.code_list.key, []).append(code)
    return found


def _property(f: Field, codes: Mapping[str, list[Code]], label: str) -> dict[str, Any]:
    prop: dict[str, Any] = {"title": label}
    if f.description:
        prop["description"] = f.description
    if f.status == FieldStatus.DEPRECATED:
        prop["deprecated"] = True
    enum = [c.code for c in codes.get(f.code_list.key, [])] if f.code_list else []
    if f.data_type == FieldType.MULTI_CHOICE and f.code_list:
        prop.update(type="array", items={"enum": enum}, uniqueItems=True)
    elif f.data_type == FieldType.CHOICE and f.code_list:
        prop.update(type="string", enum=enum)
    elif f.data_type in (FieldType.NUMBER, FieldType.GEOLOCATION):
        prop["type"] = "number"
    elif f.data_type == FieldType.BOOLEAN:
        prop["type"] = "boolean"
    elif f.data_type == FieldType.DATE:
        prop.update(type="string", format="date")
    else:
        prop["type"] = "string"
    return prop


def record_schema(version: int) -> dict[str, Any]:
    """JSON Schema (2020-12) of one record coded against ``version`` of the standard."""
    fields = _record_fields(version)
    labels = selectors.field_labels([f.pk for f in fields], version)
    codes = _codes_by_list(version)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:palermo:standard:v{version}:record",
        "title": f"Palermo case record, standard version {version} (HTCDS 2.0)",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            f.key: _property(f, codes, labels.get(f.pk, {}).get("en", f.name)) for f in fields
        },
    }


def validate_record(record: Any, schema: Mapping[str, Any]) -> list[str]:
    """Messages for everything wrong with ``record``, each starting with the field's key."""
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    messages = []
    for error in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
        path = [str(p) for p in error.absolute_path]
        where = path[0] if path else "(record)"
        if error.validator == "enum":
            messages.append(f"{where}: {error.instance!r} is not a code of this field's list")
        elif error.validator == "additionalProperties":
            messages.append(f"{where}: {error.message}")
        elif error.validator == "format":
            messages.append(f"{where}: {error.instance!r} is not a date (YYYY-MM-DD)")
        else:
            messages.append(f"{where}: {error.message}")
    return messages


def _csv(rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")  # with a BOM, so spreadsheets read UTF-8


def fields_csv(version: int) -> bytes:
    fields = list(selectors.fields(version))
    labels = selectors.field_labels([f.pk for f in fields], version)
    languages = [code for code, _name in settings.LANGUAGES]
    rows: list[list[Any]] = [
        [
            "key",
            "section",
            "name",
            *[f"label_{lang}" for lang in languages],
            "type",
            "core",
            "status",
            "code_list",
            "source",
            "aliases",
            "description",
            "notes",
        ]
    ]
    for f in fields:
        rows.append(
            [
                f.key,
                f.section,
                f.name,
                *[labels.get(f.pk, {}).get(lang, "") for lang in languages],
                f.data_type,
                "yes" if f.is_core else "no",
                f.status,
                f.code_list.key if f.code_list else "",
                f.source,
                ";".join(f.aliases),
                f.description,
                f.notes,
            ]
        )
    return _csv(rows)


def codes_csv(version: int) -> bytes:
    codes = [c for items in _codes_by_list(version).values() for c in items]
    labels = selectors.code_labels([c.pk for c in codes], version)
    parents = {c.pk: c for c in Code.objects.filter(pk__in={c.parent_id for c in codes})}
    languages = [code for code, _name in settings.LANGUAGES]
    rows: list[list[Any]] = [
        [
            "list",
            "code",
            *[f"label_{lang}" for lang in languages],
            "parent_list",
            "parent",
            "aliases",
            "since_version",
        ]
    ]
    for c in codes:
        parent = parents.get(c.parent_id) if c.parent_id else None
        rows.append(
            [
                c.code_list.key,
                c.code,
                *[labels.get(c.pk, {}).get(lang, "") for lang in languages],
                parent.code_list.key if parent else "",
                parent.code if parent else "",
                ";".join(c.aliases),
                c.since,
            ]
        )
    return _csv(rows)


# XLSForm ----------------------------------------------------------------------------------------

XLSFORM_SECTIONS = [
    Section.CONSENT,
    Section.PERSON,
    Section.VICTIM,
    Section.HISTORIC_EVENT,
    Section.CASE,
]
INTEGER_FIELDS = {"prs_NumberOfChildren", "vic_AgeWhenTrafficked"}


def _xls_type(f: Field) -> tuple[str, str]:
    """(XLSForm type, appearance)."""
    if f.data_type == FieldType.CHOICE and f.code_list:
        return f"select_one {f.code_list.key}", "minimal" if f.code_list.key in (
            "country",
            "language",
        ) else ""
    if f.data_type == FieldType.MULTI_CHOICE and f.code_list:
        return f"select_multiple {f.code_list.key}", ""
    if f.data_type == FieldType.BOOLEAN:
        return "select_one yes_no", ""
    if f.data_type == FieldType.DATE:
        return "date", ""
    if f.data_type == FieldType.NUMBER:
        return ("integer" if f.key in INTEGER_FIELDS else "decimal"), ""
    if f.data_type == FieldType.GEOLOCATION:
        return "decimal", ""
    if f.data_type == FieldType.LONG_TEXT:
        return "text", "multiline"
    return "text", ""


def xlsform(version: int) -> bytes:
    """An XLSForm of the standard's record, labelled in the six languages (English where a
    translation is missing), ready to deploy on ODK or KoboToolbox."""
    languages = list(LANGUAGE_COLUMNS)
    fields = [
        f
        for f in selectors.fields(version)
        if f.section in XLSFORM_SECTIONS and f.status != FieldStatus.DEPRECATED
    ]
    labels = selectors.field_labels([f.pk for f in fields], version)
    codes = _codes_by_list(version)
    used_lists = {"yes_no"} | {f.code_list.key for f in fields if f.code_list}
    code_labels = selectors.code_labels(
        [c.pk for key in used_lists for c in codes.get(key, [])], version
    )

    def localised(table: Mapping[str, str], fallback: str) -> list[str]:
        return [table.get(lang) or table.get("en") or fallback for lang in languages]

    book = Workbook()
    survey = book.active
    assert survey is not None  # noqa: S101 - a new workbook has one sheet
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            *[f"label::{LANGUAGE_COLUMNS[lang]}" for lang in languages],
            "appearance",
            "required",
        ]
    )
    section_names = dict(Section.choices)
    for section in XLSFORM_SECTIONS:
        members = [f for f in fields if f.section == section]
        if not members:
            continue
        title = str(section_names[section])
        repeat = section == Section.HISTORIC_EVENT
        kind = "repeat" if repeat else "group"
        survey.append([f"begin_{kind}", f"grp_{section}", *[title] * len(languages), "", ""])
        for f in members:
            xls_type, appearance = _xls_type(f)
            survey.append(
                [xls_type, f.key, *localised(labels.get(f.pk, {}), f.name), appearance, "false"]
            )
        survey.append([f"end_{kind}", "", *[""] * len(languages), "", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label::{LANGUAGE_COLUMNS[x]}" for x in languages]])
    for key in sorted(used_lists):
        for code in codes.get(key, []):
            choices.append([key, code.code, *localised(code_labels.get(code.pk, {}), code.code)])
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(["form_title", "form_id", "version", "default_language"])
    settings_sheet.append(
        [
            f"Palermo case record (HTCDS 2.0), standard v{version}",
            "palermo_case_record",
            str(version),
            LANGUAGE_COLUMNS["en"],
        ]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
