"""The UNODC Global Report data import: the real export, and small workbooks built here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from palermo.geo.models import Country
from palermo.monitoring import glotip, selectors
from palermo.monitoring.models import Figure, FigureSource

GLOTIP = (
    Path(settings.PALERMO_STANDARDS_DIR).parent
    / "data"
    / "unodc-glotip"
    / "UNODC_HumanTrafficking_data_glotip.xlsx"
)


def workbook(path: Path, rows: list[tuple[Any, ...]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("UNODC", None))
    sheet.append(("30/05/2023",))
    sheet.append(glotip.HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(iso3: str, indicator: str, value: Any, year: int = 2020, **kw: str) -> tuple[Any, ...]:
    return (
        iso3,
        "Name",
        "Region",
        "Subregion",
        indicator,
        kw.get("dimension", "Total"),
        kw.get("category", "Total"),
        kw.get("sex", "Total"),
        kw.get("age", "Total"),
        year,
        "Counts",
        value,
        "GLOTIP",
    )


@pytest.mark.skipif(
    not GLOTIP.is_file(), reason="the shared GLOTIP export is not beside the project"
)
def test_the_real_export_imports_once_keeps_suppression_and_computes_no_conviction(
    db: None,
) -> None:
    first = glotip.import_file(GLOTIP)
    assert first.created > 45_000
    assert first.published is not None
    assert first.published.isoformat() == "2023-05-30"
    assert first.not_countries["SAM"] > 0
    assert first.repeated_keys == 336

    # Read the file directly, independently of the importer.
    iso2_of = dict(Country.objects.values_list("iso3", "iso2"))
    book = openpyxl.load_workbook(GLOTIP, read_only=True)
    covered, convicted, suppressed, separators = set(), set(), 0, {}
    for values in book.worksheets[0].iter_rows(min_row=4, values_only=True):
        code = iso2_of.get(values[0])
        if code is None:
            continue
        covered.add(code)
        text = str(values[11])
        if text == "<5":
            suppressed += 1
        elif values[4] == "Persons convicted" and int(text.replace(",", "")) > 0:
            convicted.add(code)
        if "," in text and values[5:9] == ("Total",) * 4:
            separators[(code, values[4], values[9])] = int(text.replace(",", ""))
    book.close()

    assert Figure.objects.filter(suppressed=True).count() == suppressed == first.suppressed
    assert not Figure.objects.filter(suppressed=True, value__isnull=False).exists()
    assert not Figure.objects.filter(printed="<5").exclude(suppressed=True).exists()
    # "1,282" is 1282: every total printed with a separator is stored as its number.
    assert separators
    for (code, indicator, year), number in separators.items():
        stored = selectors.totals(indicator).filter(country_id=code, year=year)
        assert number in {f.value for f in stored}
    assert selectors.no_conviction_recorded() == sorted(covered - convicted)

    again = glotip.import_file(GLOTIP)
    assert (again.created, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == first.created


def test_suppressed_values_stay_suppressed_and_separators_are_read(
    db: None, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "g.xlsx",
        [
            row("NGA", "Persons convicted", "<5", 2019),
            row("NGA", "Persons convicted", "1,282", 2020),
            row("NGA", "Persons convicted", 7, 2021),
            row("THA", "Detected trafficking victims", "<5", 2020),
            row("SAM", "Detected trafficking victims", "12", 2020),
        ],
    )
    report = glotip.import_file(path)
    assert (report.created, report.suppressed, report.not_countries["SAM"]) == (4, 2, 1)
    by_year = {
        p.year: p.value for p in selectors.trend(Country.objects.get(pk="NG"), "Persons convicted")
    }
    assert by_year == {2019: None, 2020: 1282, 2021: 7}
    assert selectors.conviction_states() == {"NG": "recorded", "TH": "none"}
    assert FigureSource.objects.get().published.isoformat() == "2023-05-30"


def test_an_updated_file_changes_only_what_changed(db: None, tmp_path: Path) -> None:
    rows = [row("NGA", "Persons convicted", str(n), 2010 + n) for n in range(1, 6)]
    glotip.import_file(workbook(tmp_path / "a.xlsx", rows))
    rows[0] = row("NGA", "Persons convicted", "<5", 2011)
    del rows[4]
    report = glotip.import_file(workbook(tmp_path / "b.xlsx", rows))
    assert (report.created, report.updated, report.unchanged, report.removed) == (0, 1, 3, 1)
    assert Figure.objects.get(year=2011).suppressed


def test_a_value_it_cannot_read_imports_nothing_and_names_the_row(db: None, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "bad.xlsx",
        [row("NGA", "Persons convicted", "12"), row("NGA", "Persons convicted", "about 40", 2021)],
    )
    with pytest.raises(glotip.GlotipError) as error:
        glotip.import_file(path)
    assert "Row 5" in error.value.messages[0]
    assert "about 40" in error.value.messages[0]
    assert not Figure.objects.exists()
    assert not FigureSource.objects.exists()


@pytest.mark.parametrize("content", [b"", b"Iso3_code,Country\nNGA,Nigeria\n", b"PK\x03\x04broken"])
def test_a_file_that_is_not_the_export_is_refused_clearly(
    db: None, tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_glotip", str(path))
    assert not Figure.objects.exists()


def test_a_workbook_without_the_header_is_refused(db: None, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Country", "Year", "Value"))
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(glotip.GlotipError, match="No header row"):
        glotip.import_file(tmp_path / "other.xlsx")
