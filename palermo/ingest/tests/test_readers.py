"""Reading what agencies send: every encoding and delimiter a spreadsheet produces, workbooks,
HXL and JSON; and every malformed or hostile file refused with a message, never a crash."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook

from palermo.ingest.readers import ReadError, neutralise, open_tables

SHARED_DATA = Path(settings.PALERMO_STANDARDS_DIR).parent / "data"
HTCDS_EXCEL = Path(settings.PALERMO_STANDARDS_DIR) / "htcds" / "Toolkit" / "Excel"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _rows(path: Path) -> list[dict[str, str]]:
    (table,) = open_tables(path)
    return list(table.rows)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ","),
        ("utf-8-sig", ";"),
        ("utf-16", "\t"),
        ("latin-1", ";"),
        ("cp1252", "|"),
    ],
)
def test_csv_in_every_encoding_and_delimiter_a_spreadsheet_writes(
    tmp_path, encoding, delimiter
) -> None:  # type: ignore[no-untyped-def]
    text = delimiter.join(["Nom", "Âge", "Pays"]) + "\r\n"
    text += delimiter.join(["Hélène Dürr", "17", "CÔTE D'IVOIRE"]) + "\r\n"
    text += delimiter.join(["José Núñez", "34", "México"]) + "\r\n"
    path = _write(tmp_path, "cases.csv", text.encode(encoding))
    (table,) = open_tables(path)
    assert table.columns == ["Nom", "Âge", "Pays"]
    assert table.delimiter == delimiter
    rows = list(table.rows)
    assert rows[0] == {"Nom": "Hélène Dürr", "Âge": "17", "Pays": "CÔTE D'IVOIRE"}
    assert rows[1]["Pays"] == "México"


def test_cyrillic_windows_files_are_not_read_as_latin(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Имя;Страна;Форма эксплуатации\r\nАнна Иванова;Россия;Принудительный труд\r\n" * 20
    (table,) = open_tables(_write(tmp_path, "ru.csv", text.encode("cp1251")))
    assert table.columns == ["Имя", "Страна", "Форма эксплуатации"]
    assert next(table.rows)["Страна"] == "Россия"


def test_hxl_tags_are_recognised_under_the_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = "Sex,Age band,Country\n#affected+sex,#affected+age,#country+code\nF,18-20,TH\n"
    (table,) = open_tables(_write(tmp_path, "3w.csv", text.encode()))
    assert table.hxl_tags == {
        "Sex": "#affected+sex",
        "Age band": "#affected+age",
        "Country": "#country+code",
    }
    assert list(table.rows) == [{"Sex": "F", "Age band": "18-20", "Country": "TH"}]


def test_a_workbook_gives_every_sheet_with_a_header(tmp_path) -> None:  # type: ignore[no-untyped-def]
    workbook = Workbook()
    first = workbook.active
    first.title = "Victims"
    first.append(["gender", "ageBroad", "yearOfRegistration"])
    first.append(["Female", "18--20", 2019])
    workbook.create_sheet("Empty")
    second = workbook.create_sheet("More")
    second.append(["gender"])
    second.append(["Male"])
    path = tmp_path / "cases.xlsx"
    workbook.save(path)
    tables = open_tables(path)
    assert [t.name for t in tables] == ["Victims", "More"]
    assert list(tables[0].rows) == [
        {"gender": "Female", "ageBroad": "18--20", "yearOfRegistration": "2019"}
    ]


def test_json_records_are_read_one_at_a_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    records = [{"prs_Gender": "Feminine", "vic_TypeOfExploitation": ["ForcedLabour", "Other"]}]
    path = _write(tmp_path, "cases.json", json.dumps({"records": records}).encode())
    assert _rows(path) == [
        {"prs_Gender": "Feminine", "vic_TypeOfExploitation": "ForcedLabour;Other"}
    ]
    path = _write(tmp_path, "array.json", json.dumps(records).encode())
    assert _rows(path)[0]["prs_Gender"] == "Feminine"


def _zip_bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    return path


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("zero.csv", lambda tmp: _write(tmp, "zero.csv", b""), "empty"),
        ("blank.csv", lambda tmp: _write(tmp, "blank.csv", b" \r\n\r\n"), "empty"),
        ("broken.xlsx", lambda tmp: _write(tmp, "broken.xlsx", b"PK\x03\x04garbage"), "XLSX"),
        (
            "wide.csv",
            lambda tmp: _write(
                tmp, "wide.csv", (",".join(f"c{i}" for i in range(10_000)) + "\n").encode()
            ),
            "10000 columns",
        ),
        ("bomb.xlsx", _zip_bomb, "unsafe"),
        ("bad.json", lambda tmp: _write(tmp, "bad.json", b'[{"a": 1}, {"a": '), "not valid"),
        ("scalars.json", lambda tmp: _write(tmp, "scalars.json", b"[1, 2]"), "not an object"),
        (
            "binary.csv",
            lambda tmp: _write(tmp, "binary.csv", bytes(range(256)) * 50),
            "not text",
        ),
        (
            "nul.csv",
            lambda tmp: _write(tmp, "nul.csv", b"gender,citizenship\nFeminine,P\x00H\n"),
            "NUL character",
        ),
    ],
)
def test_malformed_and_hostile_files_are_refused_with_a_message(
    tmp_path, name, make, message
) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)

    def read_all() -> None:
        for table in open_tables(path, name):
            list(table.rows)

    with pytest.raises(ReadError) as caught:
        read_all()
    assert message in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_a_row_wider_than_its_header_is_reported_with_its_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "ragged.csv", b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(ReadError, match="3 cells"):
        _rows(path)


def test_formula_injection_is_read_as_text_and_neutralised_for_spreadsheets(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "evil.csv", b'name,note\nx,"=HYPERLINK(""http://evil"",""click"")"\n')
    (row,) = _rows(path)
    assert row["note"] == '=HYPERLINK("http://evil","click")'
    assert neutralise(row["note"]).startswith("'=")
    assert neutralise("-12.5") == "-12.5"
    assert neutralise("+33 1 23 45") == "'+33 1 23 45"
    assert neutralise("plain") == "plain"


def test_the_ctdc_dataset_streams(tmp_path) -> None:  # type: ignore[no-untyped-def]
    source = SHARED_DATA / "ctdc-kanon-2021" / "ctdc_global_kanon_2021-07-15.csv.gz"
    path = tmp_path / "ctdc.csv"
    with gzip.open(source, "rb") as packed, path.open("wb") as plain:
        for _ in range(2001):  # the header and 2,000 rows are enough to read the shape
            plain.write(packed.readline())
    (table,) = open_tables(path)
    assert table.columns[:4] == ["yearOfRegistration", "Datasource", "gender", "ageBroad"]
    rows = list(table.rows)
    assert len(rows) == 2000
    assert rows[0]["gender"] == "Female"


def test_the_synthetic_ctdc_file_and_the_htcds_template_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (synthetic,) = open_tables(
        SHARED_DATA / "ctdc-vp-synthetic-2022" / "CTDC_VPsynthetic_condensed.csv"
    )
    assert "IP_Relation" in synthetic.columns
    first = next(synthetic.rows)
    assert first["IP_Gender"] == "Female;Male"
    tables = open_tables(HTCDS_EXCEL / "HTCDS Excel Spreadsheet v2.0.xlsx")
    assert tables
    assert any("prs_FirstName" in t.columns or "First Name" in " ".join(t.columns) for t in tables)
