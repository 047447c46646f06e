"""Loading the standard from its sources: complete, idempotent, with clear errors."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from django.conf import settings
from python_calamine import CalamineWorkbook

from palermo.standard import selectors
from palermo.standard.models import Code, CodeLabel, CodeList, CodeMapping, Field, FieldLabel
from palermo.standard.services import load_standard
from palermo.standard.sources import CROSSWALK, SourceError, build_spec

pytestmark = pytest.mark.django_db

HTCDS = Path(settings.PALERMO_STANDARDS_DIR) / "htcds"
CTDC = Path(settings.PALERMO_STANDARDS_DIR).parent / "data" / "ctdc-kanon-2021"


def _ods_field_keys() -> list[str]:
    """Read the field sheet independently of the loader: every row naming a field."""
    book = CalamineWorkbook.from_path(str(HTCDS / "HTCDS Field Standards 2.0.ods"))
    rows = book.get_sheet_by_name("Field_Standards").to_python()
    keys = []
    for row in rows[1:]:
        prefix, name = str(row[3]).strip(), str(row[4]).strip()
        if name and name != "N/A":
            keys.append(prefix + name)
    return keys


def test_every_field_of_the_htcds_sheet_is_present() -> None:
    keys = _ods_field_keys()
    assert len(keys) == 84
    stored = set(Field.objects.values_list("key", flat=True))
    assert set(keys) <= stored
    deprecated = Field.objects.get(key="vic_Vulnerabilities")
    assert deprecated.status == "deprecated"
    assert Field.objects.get(key="prs_Gender").code_list.key == "gender"
    assert Field.objects.get(key="prs_Citizenship").data_type == "multi_choice"


def test_every_choice_of_the_xlsform_is_a_code_of_its_field_list() -> None:
    book = CalamineWorkbook.from_path(str(HTCDS / "Toolkit" / "Survey" / "htcds_xlsform.xlsx"))
    survey = book.get_sheet_by_name("survey").to_python()[1:]
    choices = book.get_sheet_by_name("choices").to_python()[1:]
    assert len(choices) == 331

    def norm(key: str) -> str:
        return key.replace("_", "").lower()

    fields = {norm(f.key): f for f in Field.objects.select_related("code_list")}
    list_of = {}
    for row in survey:
        kind = str(row[0])
        if kind.startswith("select_"):
            field = fields[norm(str(row[1]))]
            # A check box is answered from the yes/no list.
            yes_no = CodeList.objects.get(key="yes_no")
            list_of[kind.split()[1]] = field.code_list or (
                yes_no if field.data_type == "boolean" else None
            )
    missing = [
        (name, code)
        for name, code, _label in (map(str, c[:3]) for c in choices)
        if not Code.objects.filter(code_list=list_of[name], code=code.strip()).exists()
    ]
    assert missing == []


def test_loading_again_changes_nothing() -> None:
    before = (
        selectors.latest_version(),
        Code.objects.count(),
        CodeLabel.objects.count(),
        Field.objects.count(),
        FieldLabel.objects.count(),
        CodeMapping.objects.count(),
    )
    result = load_standard()
    assert result.created_version is False
    assert result.instruments == {"unchanged": 2}
    after = (
        selectors.latest_version(),
        Code.objects.count(),
        CodeLabel.objects.count(),
        Field.objects.count(),
        FieldLabel.objects.count(),
        CodeMapping.objects.count(),
    )
    assert after == before


def test_sub_forms_of_exploitation_hang_under_their_form() -> None:
    industry = Code.objects.get(code_list__key="forced_labour_industry", code="F_Construction")
    assert (industry.parent.code_list.key, industry.parent.code) == (
        "type_of_exploitation",
        "ForcedLabour",
    )
    prostitution = Code.objects.get(code_list__key="ctdc_sex_type", code="Prostitution")
    assert prostitution.parent.code == "SexualExploitation"


def test_codes_are_trimmed_of_stray_spaces() -> None:
    assert Code.objects.filter(code_list__key="methods_of_control", code="DebtBondage").exists()
    assert not Code.objects.filter(code__endswith=" ").exists()


def test_countries_and_languages_are_labelled_in_the_six_languages() -> None:
    ph = Code.objects.get(code_list__key="country", code="PH")
    labels = dict(CodeLabel.objects.filter(code=ph).values_list("language", "text"))
    assert set(labels) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
    assert "PHL" in ph.aliases
    ar = Code.objects.get(code_list__key="language", code="ar")
    names = dict(CodeLabel.objects.filter(code=ar).values_list("language", "text"))
    assert names["en"] == "Arabic"
    assert names["fr"] == "arabe"


def test_every_form_of_exploitation_is_labelled_in_the_six_languages() -> None:
    labels = selectors.code_labels_by_code("ctdc_exploitation")
    assert len(labels) >= 8
    languages = {code for code, _name in settings.LANGUAGES}
    assert {code: set(found) for code, found in labels.items()} == dict.fromkeys(labels, languages)
    assert labels["SlaveryAndPractices"]["es"] == "Esclavitud y prácticas análogas"


@pytest.mark.parametrize(
    ("code", "texts", "error"),
    [
        ("ForcedLabor", ("a", "b", "c", "d", "e"), "ForcedLabor"),  # misspelt
        ("ForcedLabour", ("a", "b", "c", "d"), "shorter"),  # a language missing
    ],
)
def test_a_wrong_translated_label_stops_the_load(monkeypatch, code, texts, error) -> None:  # type: ignore[no-untyped-def]
    from palermo.standard import sources

    monkeypatch.setattr(sources, "_EXPLOITATION_LABELS", {code: texts})
    with pytest.raises(ValueError, match=error):
        build_spec()


def test_ctdc_variables_are_fields_named_after_the_dictionary() -> None:
    book = CalamineWorkbook.from_path(
        str(CTDC / "CTDC Global K-anon Dataset DATA DICTIONARY version 20210825.xlsx")
    )
    dictionary = {str(r[0]).strip() for r in book.get_sheet_by_name("Main").to_python()[1:]}
    with gzip.open(CTDC / "ctdc_global_kanon_2021-07-15.csv.gz", "rt") as handle:
        header = handle.readline().strip().split(",")
    names = dictionary | set(header)
    analytic = Field.objects.filter(section="analytic")
    assert analytic.count() == 15
    for field in analytic:
        assert set(field.aliases) & names, field.key
        assert field.derivation["method"]
    # Every 0/1 indicator column of the CTDC file is a code of an analytic list.
    indicator_columns = [
        c
        for c in header
        if re.match(r"^(meansOfControl|typeOfLabour|typeOfSex|recruiterRelation|is)[A-Z]", c)
        and not c.endswith("Concatenated")
    ]
    aliases = {a for aliases in Code.objects.values_list("aliases", flat=True) for a in aliases}
    # ... or, for isAbduction, a yes/no field of its own.
    aliases |= {a for f in analytic for a in f.aliases}
    assert sorted(set(indicator_columns) - aliases) == []


def test_crosswalk_covers_every_htcds_code_it_maps() -> None:
    for (source_list, target_list), table in CROSSWALK.items():
        if source_list == "type_of_exploitation" and target_list == "ctdc_labour_type":
            continue  # a partial refinement (forced begging -> begging)
        codes = set(Code.objects.filter(code_list__key=source_list).values_list("code", flat=True))
        assert codes == set(table), (source_list, target_list)
    gender = Code.objects.get(code_list__key="gender", code="TransgenderFeminine")
    assert [m.target.code for m in CodeMapping.objects.filter(source=gender)] == [
        "TransgenderNonConforming"
    ]


def test_missing_sources_give_a_clear_error(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.PALERMO_STANDARDS_DIR = tmp_path
    with pytest.raises(SourceError, match="PALERMO_STANDARDS_DIR"):
        build_spec()
    assert CodeList.objects.filter(key="gender").exists()  # nothing was touched


def test_load_standard_command_reports_nothing_changed(capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import call_command

    call_command("load_standard")
    out = capsys.readouterr().out
    assert "nothing changed" in out
    assert "2 unchanged" in out
