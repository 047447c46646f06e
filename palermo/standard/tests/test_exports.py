"""The standard as files: JSON Schema, CSV, XLSForm."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from palermo.standard import exports, selectors
from palermo.standard.models import Code, Field

pytestmark = pytest.mark.django_db


def test_the_xlsform_converts_with_pyxform(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "form.xlsx"
    path.write_bytes(exports.xlsform(selectors.latest_version()))
    result = convert(xlsform=str(path))
    assert "<h:title>Palermo case record" in result.xform
    assert 'lang="Arabic (ar)"' in result.xform
    book = load_workbook(path)
    header = [c.value for c in book["survey"][1]]
    assert "label::French (fr)" in header
    assert "label::Chinese (zh)" in header
    names = {row[1].value for row in book["survey"].iter_rows(min_row=2)}
    assert {
        "prs_Gender",
        "vic_TypeOfExploitation",
        "con_Consent",
        "cas_IdentificationDate",
    } <= names
    assert "vic_Vulnerabilities" not in names  # deprecated in HTCDS 2.0
    choices = [(r[0].value, r[1].value) for r in book["choices"].iter_rows(min_row=2)]
    assert ("country", "PH") in choices
    assert ("yes_no", "TRUE") in choices


def test_the_json_schema_accepts_a_sample_record_and_names_the_field_of_an_error() -> None:
    schema = exports.record_schema(selectors.latest_version())
    good = {
        "prs_Gender": "Feminine",
        "prs_Birthdate": "2004-05-17",
        "prs_Citizenship": ["PH", "MX"],
        "vic_TypeOfExploitation": ["ForcedLabour"],
        "vic_ForcedLabourIndustry": "A_AgricultureForestryAndFishing",
        "vic_AgeWhenTrafficked": 16,
        "con_Consent": True,
    }
    assert exports.validate_record(good, schema) == []
    bad = dict(good, prs_Gender="Woman", prs_Birthdate="17/05/2004", vic_AgeWhenTrafficked="16")
    assert exports.validate_record(bad, schema) == [
        "prs_Birthdate: '17/05/2004' is not a date (YYYY-MM-DD)",
        "prs_Gender: 'Woman' is not a code of this field's list",
        "vic_AgeWhenTrafficked: '16' is not of type 'number'",
    ]
    assert exports.validate_record({"nickname": "x"}, schema) == [
        "(record): Additional properties are not allowed ('nickname' was unexpected)"
    ]


def test_csv_downloads_hold_every_field_and_code() -> None:
    version = selectors.latest_version()
    fields = list(csv.DictReader(io.StringIO(exports.fields_csv(version).decode("utf-8-sig"))))
    assert len(fields) == Field.objects.at(version).count()
    gender = next(row for row in fields if row["key"] == "prs_Gender")
    assert (gender["code_list"], gender["core"], gender["label_en"]) == ("gender", "yes", "Gender")
    codes = list(csv.DictReader(io.StringIO(exports.codes_csv(version).decode("utf-8-sig"))))
    assert len(codes) == Code.objects.at(version).count()
    ph = next(row for row in codes if row["list"] == "country" and row["code"] == "PH")
    assert ph["label_ar"]
    assert ph["label_zh-hans"]
    construction = next(row for row in codes if row["code"] == "F_Construction")
    assert (construction["parent_list"], construction["parent"]) == (
        "type_of_exploitation",
        "ForcedLabour",
    )
